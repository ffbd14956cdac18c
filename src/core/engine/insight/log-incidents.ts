import type { EvidenceLine, LogFinding, LogIncident, LogReport } from '../../domain/log-report.js';
import { MIN_MENTION_LENGTH, mentionPattern } from '../../domain/mention.js';
import { SEVERITY } from '../../domain/severity.js';
import { NEW_AFTER_SHARE } from '../logs/log-analyzer.js';
import { serviceOfSource } from '../../domain/log-streams.js';
import { workloadOf } from '../../domain/workload.js';
import type { ServiceEdge } from '../../domain/telemetry-aggregates.js';
import { formatDuration } from '../metrics/reasons.js';
import { combineSignals, quote } from './evidence.js';
import type { ServiceEvidence, Signal } from './evidence.js';
import type { InsightConfig } from './insight-config.js';
import { NAMES, SIGNAL_REASONS, rankRootCauses } from './root-cause.js';
import { ServiceGraph } from './service-graph.js';

/** Findings that can be trouble (at WARN or above); new and rare INFO templates are not. */
const TROUBLE = new Set<LogFinding['kind']>([
  'error-template',
  'warn-template',
  'exception',
  'burst',
]);

/** Abnormal minutes listed per signal at most (a finding over days is not listed minute by minute). */
const MAX_BUCKETS = 24 * 60;
const CAUSES = 3;
/** Services of one incident ranked as causes at most: the most troubled. */
const MAX_RANKED = 100;

/**
 * When a finding began, if it began during the log, as the log engine judges it: a burst's
 * window, a message new in the log (first seen after NEW_AFTER_SHARE of it), an exception first
 * thrown that late. One that was there from the start is background, not an onset.
 */
function onsetOf(f: LogFinding, fromMs: number, spanMs: number): number | undefined {
  if (f.window !== undefined) return f.window.startMs;
  if (f.newSinceMs !== undefined) return f.newSinceMs;
  return f.kind === 'exception' &&
    f.firstSeenMs !== undefined &&
    f.firstSeenMs >= fromMs + spanMs * NEW_AFTER_SHARE
    ? f.firstSeenMs
    : undefined;
}

/** "10:39:30" (UTC). */
function clock(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19);
}

/** A token of pod-name characters whose workload is a service (`inventory-5f7d8c9b6-7hm2p`). */
const POD_TOKEN = /[a-z0-9][a-z0-9-]{3,251}[a-z0-9]/g;

/** A Kubernetes service's DNS name (`payments.shop.svc`, `payments.shop.svc.cluster.local`): the service is named even when its logs are not at hand. */
const SERVICE_DNS =
  /(?<![a-z0-9.-])([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)\.[a-z0-9-]{1,63}\.svc(?![a-z0-9-])/g;

/** Service names to look for in text: plain names (word characters and dashes) by token, others by their pattern. */
interface NameIndex {
  plain: Set<string>;
  other: { name: string; pattern: RegExp }[];
}

function nameIndex(names: readonly string[]): NameIndex {
  const usable = names.filter((n) => n.length >= MIN_MENTION_LENGTH);
  const plain = usable.filter((n) => /^[A-Za-z0-9_-]+$/.test(n));
  return {
    plain: new Set(plain),
    other: usable
      .filter((n) => !plain.includes(n))
      .map((name) => ({ name, pattern: new RegExp(mentionPattern(name)) })),
  };
}

/** The services (other than `self`) that a text names: the name as a word, a pod of it, or its Kubernetes DNS name. */
function named(text: string, self: string, index: NameIndex): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(SERVICE_DNS)) if (m[1] !== self) out.add(m[1]!);
  // a word bounded as mentionPattern bounds it: by anything but word characters and dashes
  for (const token of text.split(/[^A-Za-z0-9_-]+/))
    if (token !== self && index.plain.has(token)) out.add(token);
  for (const s of index.other)
    if (s.name !== self && text.includes(s.name) && s.pattern.test(text)) out.add(s.name);
  for (const token of text.match(POD_TOKEN) ?? []) {
    const w = workloadOf(token);
    if (w !== token && w !== self && (index.plain.has(w) || index.other.some((s) => s.name === w)))
      out.add(w);
  }
  return [...out].sort();
}

/**
 * The service of each file: the one its records name when they all name one (a JSON service
 * field in a stdin stream), else its name's (serviceOfSource).
 */
function fileServices(findings: readonly LogFinding[]): (source: string) => string {
  const named = new Map<string, Set<string>>();
  for (const f of findings)
    for (const source of f.sources)
      for (const s of f.services ?? []) {
        const set = named.get(source);
        if (set === undefined) named.set(source, new Set([workloadOf(s)]));
        else set.add(workloadOf(s));
      }
  return (source) => {
    const set = named.get(source);
    return set?.size === 1 ? [...set][0]! : serviceOfSource(source);
  };
}

/**
 * Whose trouble a finding is, with the example lines of each: the services its records name
 * (their workloads: a CSV export's pod column, a JSON service field), else its files' services.
 */
function ownersOf(
  f: LogFinding,
  serviceOfFile: (source: string) => string,
): { service: string; sources: string[]; lines: EvidenceLine[] }[] {
  const out = new Map<string, { service: string; sources: string[]; lines: EvidenceLine[] }>();
  const add = (service: string, sources: string[], lines: EvidenceLine[]) => {
    const o = out.get(service);
    if (o === undefined) out.set(service, { service, sources, lines });
    else {
      o.sources = [...new Set([...o.sources, ...sources])];
      o.lines.push(...lines);
    }
  };
  if (f.services !== undefined && f.services.length > 0)
    for (const name of f.services)
      add(
        workloadOf(name),
        f.sources,
        f.evidence.filter((e) => e.service === name),
      );
  else
    for (const source of f.sources)
      add(
        serviceOfFile(source),
        [source],
        f.evidence.filter((e) => e.source === source),
      );
  return [...out.values()];
}

/** Appends to the list of `key`, begun when there is none. */
function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

/** A finding as a service's signal: its files and its place in the report's findings. */
type TroubleSignal = Signal & { sources: string[]; finding: number };

interface Episode {
  service: string;
  onsetMs: number;
  untilMs: number;
  signals: TroubleSignal[];
}

/**
 * Incidents across the sources of a log report, from logs alone: each service's findings that
 * began during the log (bursts; new messages and exceptions, first seen after its first fifth) form
 * its episodes of trouble (split by config.quietMs without any); episodes that overlap in time
 * join one incident when they are of one service or of services whose warning and error lines
 * name one another (`http://payments.shop.svc…`, a pod `inventory-5f7d8c9b6-7hm2p`); each
 * incident's causes are ranked by the insight engine over that naming graph (a named service in
 * trouble when the namer's symptoms began explains them). Deterministic and pure.
 */
export function logIncidents(report: LogReport, config: InsightConfig): LogIncident[] {
  const { firstMs, lastMs } = report.summary;
  if (firstMs === undefined || lastMs === undefined) return [];
  const spanMs = Math.max(0, lastMs - firstMs);
  const serviceOfFile = fileServices(report.findings);
  const troubles = report.findings.flatMap((f, index) => {
    const onsetMs =
      TROUBLE.has(f.kind) && SEVERITY[f.severity] >= SEVERITY.WARN
        ? onsetOf(f, firstMs, spanMs)
        : undefined;
    return onsetMs === undefined
      ? []
      : [
          {
            f,
            index,
            owners: ownersOf(f, serviceOfFile),
            onsetMs,
            untilMs: Math.max(
              onsetMs,
              f.kind === 'burst' ? (f.window?.endMs ?? onsetMs) : (f.lastSeenMs ?? onsetMs),
            ),
          },
        ];
  });
  if (troubles.length === 0) return [];
  const serviceNames = [...new Set(troubles.flatMap((t) => t.owners.map((o) => o.service)))].sort();
  // the services whose files are at hand, and when each last logged
  const files = new Map<string, { sources: string[]; lastMs: number | undefined }>();
  for (const src of report.summary.sources) {
    if (src.records === 0) continue;
    const service = serviceOfFile(src.name);
    const f = files.get(service);
    if (f === undefined) files.set(service, { sources: [src.name], lastMs: src.lastMs });
    else {
      f.sources.push(src.name);
      f.lastMs =
        src.lastMs === undefined || f.lastMs === undefined
          ? undefined
          : Math.max(f.lastMs, src.lastMs);
    }
  }
  // names looked for: the services in trouble and those whose files went silent (a live service
  // in no trouble that others name is not where their trouble comes from, as far as logs tell)
  const silentFiles = [...files]
    .filter(([, f]) => f.lastMs !== undefined && lastMs - f.lastMs >= config.quietMs)
    .map(([service]) => service);
  const patterns = nameIndex([...new Set([...serviceNames, ...silentFiles])]);
  const edges = new Map<string, ServiceEdge>();
  const bucket = (ms: number) => Math.floor(ms / config.bucketMs) * config.bucketMs;

  // each service's signals, from the findings of its sources
  const bySignal = new Map<string, TroubleSignal[]>();
  for (const { f, index, owners, onsetMs, untilMs } of troubles) {
    for (const { service, sources, lines } of owners) {
      const naming = new Map<string, number>();
      for (const e of lines.length > 0 ? lines : f.evidence)
        for (const n of named(e.text, service, patterns)) naming.set(n, (naming.get(n) ?? 0) + 1);
      const shown = Math.max(1, lines.length > 0 ? lines.length : f.evidence.length);
      const names = [...naming]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([n, c]) => ({ service: n, count: Math.max(1, Math.round((f.count * c) / shown)) }));
      for (const n of names)
        edges.set(`${service}\u0000${n.service}`, {
          caller: service,
          callee: n.service,
          calls: n.count,
          errors: 0,
          p90Ms: 0,
        });
      const buckets: number[] = [];
      for (
        let b = bucket(onsetMs);
        b <= untilMs && buckets.length < MAX_BUCKETS;
        b += config.bucketMs
      )
        buckets.push(b);
      const signal: TroubleSignal = {
        kind: 'log',
        score: f.score,
        reason: f.reason,
        sources,
        finding: index,
        onsetMs,
        untilMs,
        buckets,
        ref: {
          type: 'template',
          templateId: f.templateId ?? `${f.kind}:${onsetMs}`,
          template: f.template ?? f.reason,
          severity: SEVERITY[f.severity],
          count: f.count,
          usualPerBucket: 0,
          referenceCount: 0,
        },
        ...(names.length > 0 ? { names } : {}),
      };
      pushTo(bySignal, service, signal);
    }
  }
  // a service named in others' trouble whose own log had ended (a quiet period before the others'
  // end) is down or unreachable: a candidate that says nothing itself
  const silentNamed: [string, TroubleSignal][] = [];
  for (const [namer, signals] of bySignal)
    for (const s of signals) {
      if (s.ref.type !== 'template') continue;
      for (const n of s.names ?? []) {
        const file = files.get(n.service);
        if (file?.lastMs === undefined || lastMs - file.lastMs < config.quietMs) continue;
        const silent = (s.buckets ?? []).filter((b) => b >= bucket(file.lastMs!) + config.bucketMs);
        if (silent.length === 0) continue;
        silentNamed.push([
          n.service,
          {
            kind: 'named',
            score:
              s.score *
              Math.min(1, n.count / Math.max(1, s.ref.count)) *
              (silent.length / s.buckets!.length) *
              config.namedWeight,
            reason: `named in ${n.count} of ${s.ref.count} records of ${namer} ${quote(s.ref.template)}, and its own log silent since ${clock(file.lastMs)} (the others logged ${formatDuration(lastMs - file.lastMs)} more)`,
            ref: { ...s.ref, service: namer },
            sources: file.sources,
            finding: s.finding,
            onsetMs: silent[0]!,
            untilMs: silent.at(-1)!,
            buckets: silent,
          },
        ]);
      }
    }
  for (const [service, signal] of silentNamed) pushTo(bySignal, service, signal);
  const graph = new ServiceGraph([...edges.values()]);

  // episodes: a service's signals with no quiet period between them
  const episodes: Episode[] = [];
  for (const service of [...bySignal.keys()].sort()) {
    const mine = (bySignal.get(service) ?? []).sort((a, b) => a.onsetMs! - b.onsetMs!);
    let cur: Episode | undefined;
    for (const s of mine) {
      if (cur === undefined || s.onsetMs! > cur.untilMs + config.quietMs)
        episodes.push((cur = { service, onsetMs: s.onsetMs!, untilMs: s.untilMs!, signals: [] }));
      cur.untilMs = Math.max(cur.untilMs, s.untilMs!);
      cur.signals.push(s);
    }
  }

  // incidents: overlapping episodes of services that name one another (one service's episodes
  // never overlap: a quiet period parts them), joined pair by pair along the naming graph
  const parent = episodes.map((_, i) => i);
  const root = (i: number): number => (parent[i] === i ? i : (parent[i] = root(parent[i]!)));
  const indexOf = new Map<string, number[]>();
  for (const [i, e] of episodes.entries()) pushTo(indexOf, e.service, i);
  for (const { caller, callee } of edges.values())
    for (const i of indexOf.get(caller) ?? [])
      for (const j of indexOf.get(callee) ?? []) {
        const a = episodes[i]!;
        const b = episodes[j]!;
        if (a.onsetMs <= b.untilMs + config.quietMs && b.onsetMs <= a.untilMs + config.quietMs)
          parent[root(j)] = root(i);
      }
  const groups = new Map<number, Episode[]>();
  for (const [i, e] of episodes.entries()) pushTo(groups, root(i), e);

  const out: LogIncident[] = [];
  for (const group of groups.values()) {
    const perService = new Map<string, Episode[]>();
    for (const e of group) pushTo(perService, e.service, e);
    const evidence: ServiceEvidence[] = [...perService].map(([service, eps]) => {
      const signals = eps.flatMap((e) => e.signals).sort((a, b) => b.score - a.score);
      return { service, score: combineSignals(signals), signals };
    });
    const services = [...perService]
      .map(([service, eps]) => {
        const signals = eps
          .flatMap((e) => e.signals)
          .sort((a, b) => a.onsetMs! - b.onsetMs! || b.score - a.score);
        return {
          service,
          sources: [...new Set(signals.flatMap((s) => s.sources))].sort(),
          onsetMs: signals[0]!.onsetMs!,
          untilMs: Math.max(...signals.map((s) => s.untilMs!)),
          findings: signals.filter((x) => x.kind === 'log').length,
          first: signals[0]!.reason,
        };
      })
      .sort((a, b) => a.onsetMs - b.onsetMs || (a.service < b.service ? -1 : 1));
    // the most troubled services are ranked (a ranking is quadratic in them; hundreds of files in one incident are not read one by one)
    const ranked =
      evidence.length <= MAX_RANKED
        ? evidence
        : [...evidence]
            .sort((a, b) => b.score - a.score || (a.service < b.service ? -1 : 1))
            .slice(0, MAX_RANKED);
    const causes = rankRootCauses(ranked, graph, config, NAMES)
      .slice(0, CAUSES)
      .map((c) => {
        // how it relates to the others first (what a reader looks for in a cause), then its symptoms
        const own = Math.min(SIGNAL_REASONS, c.signals.length);
        return {
          service: c.service,
          score: Math.round(c.score * 100) / 100,
          reasons: [...c.reasons.slice(own), ...c.reasons.slice(0, own)],
        };
      });
    const findings = [...new Set(group.flatMap((e) => e.signals.map((x) => x.finding)))].sort(
      (a, b) => a - b,
    );
    out.push({
      startMs: Math.min(...services.map((s) => s.onsetMs)),
      endMs: Math.max(...services.map((s) => s.untilMs)),
      services,
      causes,
      findings,
    });
  }
  return out.sort(
    (a, b) => a.startMs - b.startMs || (a.services[0]!.service < b.services[0]!.service ? -1 : 1),
  );
}
