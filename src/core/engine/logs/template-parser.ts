import { fnv1a64Hex } from '../../domain/hash.js';
import { tokenize } from './token-masker.js';
import { TemplateMiner, extractParams, follow, templateText } from './template-miner.js';
import type { Cluster, TemplateMinerOptions } from './template-miner.js';

export interface ResolvedTemplate {
  /** Stable id: hash of the template text. */
  readonly id: string;
  readonly text: string;
  readonly tokens: readonly string[];
}

export interface LineTemplate {
  readonly template: ResolvedTemplate;
  readonly params: string[];
}

/**
 * Mines templates from message texts and resolves them to stable ids. Two modes:
 * `learn` (streaming, online) and, after `finish`, `match` (assign a line to its final template).
 */
export class TemplateParser {
  private readonly miner: TemplateMiner;
  private readonly raw: string[] = [];
  private readonly masked: string[] = [];
  /** Each cluster's template at its current version (weak: evicted clusters go with it). */
  private readonly current = new WeakMap<
    Cluster,
    { version: number; template: ResolvedTemplate }
  >();

  constructor(options: TemplateMinerOptions = {}) {
    this.miner = new TemplateMiner(options);
  }

  get evictions(): number {
    return this.miner.evictions;
  }

  get clusterCount(): number {
    return this.miner.clusterCount;
  }

  /** Learns one message; returns its current cluster (resolve it after `finish`). */
  learn(text: string): Cluster {
    const n = tokenize(text, this.raw, this.masked);
    return this.miner.add(this.masked, n);
  }

  /**
   * Learns one message and returns the template as known now, with the line's values:
   * single-pass streaming (`parse --stream`). Early lines may get a less general template
   * than later ones, since templates generalise as lines arrive.
   */
  learnLine(text: string): LineTemplate {
    const n = tokenize(text, this.raw, this.masked);
    const template = this.resolve(this.miner.add(this.masked, n));
    return { template, params: extractParams(template.tokens, this.raw, n) };
  }

  /** As `learnLine`, but a line that would need a new template once `maxClusters` are held is refused (undefined). */
  learnLineIfRoom(text: string): LineTemplate | undefined {
    const n = tokenize(text, this.raw, this.masked);
    const c = this.miner.addIfRoom(this.masked, n);
    if (c === undefined) return undefined;
    const template = this.resolve(c);
    return { template, params: extractParams(template.tokens, this.raw, n) };
  }

  /** Consolidates clusters; afterwards templates are final and `resolve`/`match` may be used. */
  finish(): void {
    this.miner.consolidate();
  }

  /** The template of a cluster returned by `learn` as it is now (final after `finish`). */
  resolve(cluster: Cluster): ResolvedTemplate {
    const c = follow(cluster);
    let cached = this.current.get(c);
    if (cached === undefined || cached.version !== c.version) {
      const text = templateText(c);
      cached = {
        version: c.version,
        template: { id: fnv1a64Hex(text), text, tokens: c.tokens.slice() },
      };
      this.current.set(c, cached);
    }
    return cached.template;
  }

  /** Assigns a message to its template without learning; learns it when no template fits. */
  match(text: string): LineTemplate {
    const n = tokenize(text, this.raw, this.masked);
    let c = this.miner.match(this.masked, n);
    if (c === undefined) c = this.miner.add(this.masked, n);
    const template = this.resolve(c);
    return { template, params: extractParams(template.tokens, this.raw, n) };
  }

  /** Clusters not evicted, merged ones included (see `TemplateMiner.known`). */
  knownClusters(): Cluster[] {
    return this.miner.known();
  }

  /** All final templates with their line counts. */
  templates(): { template: ResolvedTemplate; count: number }[] {
    return this.miner.clusters().map((c) => ({ template: this.resolve(c), count: c.count }));
  }
}
