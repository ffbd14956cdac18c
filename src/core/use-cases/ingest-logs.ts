import type { ReceivedLog, StoredLog } from '../domain/stored-log.js';
import { levelOfText } from '../engine/logs/record-level.js';
import { TemplateParser } from '../engine/logs/template-parser.js';
import type { TelemetryBatch, TelemetryWriterPort } from '../ports/telemetry-store.port.js';
import { Lru } from '../domain/lru.js';

export interface LogIngestOptions {
  store: TelemetryWriterPort;
  /** Unique, increasing ids for stored records (injected: tests are deterministic). */
  newId: () => string;
  /** Templates kept per tenant (default 20,000): beyond it the least recently used is evicted, or with `refuseNewTemplates` a record that needs a new one is refused. */
  maxTemplates?: number;
  /** The server's cardinality limit (--max-templates): refuse and count rather than evict. */
  refuseNewTemplates?: boolean;
  /** Tenants with a template miner in memory; the least recently active beyond it start afresh. */
  maxTenants?: number;
}

export const DEFAULT_MAX_TEMPLATES = 20_000;

/** Only the first line of a message is templated, and at most this much of it. */
const MAX_TEMPLATE_TEXT = 4096;

/**
 * Logs as they arrive: each body's first line goes through the log engine's streaming template
 * miner (one per tenant), and the record is stored with the template id, text and parameters
 * known at that moment (templates generalise as records arrive, as with `parse --stream`).
 * A record sent without a level takes the one its text gives (levelOfText: a JSON or logfmt
 * line, a header), and its message is templated; its body is stored as sent.
 * Callers serialise calls (the server's ingest queue does).
 */
export class LogIngest {
  private readonly parsers: Lru<string, TemplateParser>;

  constructor(private readonly options: LogIngestOptions) {
    this.parsers = new Lru(options.maxTenants ?? 1000);
  }

  private parser(tenant: string): TemplateParser {
    let p = this.parsers.get(tenant);
    if (p === undefined) {
      p = new TemplateParser({ maxClusters: this.options.maxTemplates ?? DEFAULT_MAX_TEMPLATES });
      this.parsers.set(tenant, p);
    }
    return p;
  }

  /** Templates and stores (one transaction). */
  async ingest(
    tenant: string,
    logs: readonly ReceivedLog[],
  ): Promise<{ stored: number; templates: number; refused: number }> {
    const { batch, stored, templates, refused } = this.template(tenant, logs);
    await this.options.store.append(tenant, batch);
    return { stored, templates, refused };
  }

  /**
   * Templates the records and returns the batch to write (for callers that write themselves),
   * with how many were refused (a new template past the tenant's limit) and why.
   */
  template(
    tenant: string,
    logs: readonly ReceivedLog[],
  ): {
    batch: TelemetryBatch;
    stored: number;
    templates: number;
    refused: number;
    reason: string | undefined;
  } {
    const parser = this.parser(tenant);
    const refuse = this.options.refuseNewTemplates === true;
    const rows: StoredLog[] = [];
    let refused = 0;
    for (const l of logs) {
      const nl = l.body.indexOf('\n');
      const firstLine = nl < 0 ? l.body : l.body.slice(0, nl);
      const own = l.severity === 0 ? levelOfText(firstLine.slice(0, MAX_TEMPLATE_TEXT)) : undefined;
      const text = (own === undefined ? firstLine : own.message.split('\n', 1)[0]!).slice(
        0,
        MAX_TEMPLATE_TEXT,
      );
      const line = refuse ? parser.learnLineIfRoom(text) : parser.learnLine(text);
      if (line === undefined) {
        refused++;
        continue;
      }
      rows.push({
        ...l,
        ...(own === undefined ? {} : { severity: own.severity, severityText: own.severityText }),
        id: this.options.newId(),
        templateId: line.template.id,
        template: line.template.text,
        params: line.params,
      });
    }
    const limit = this.options.maxTemplates ?? DEFAULT_MAX_TEMPLATES;
    return {
      batch: { logs: rows },
      stored: rows.length,
      templates: parser.clusterCount,
      refused,
      reason:
        refused === 0
          ? undefined
          : `the tenant has ${limit} log templates already (--max-templates ${limit}): records that need a new template are refused`,
    };
  }
}
