import { detectFormat, parseLine } from './formats/detect-format.js';
import type { DetectedFormat } from './formats/detect-format.js';
import { createHeaderFormat } from './formats/header-format.js';
import type { LineFormat } from './formats/parsed-line.js';
import type { HeaderLayout } from './header-layout.js';
import { TemplateParser } from './template-parser.js';
import type { LineTemplate } from './template-parser.js';
import type { TemplateMinerOptions } from './template-miner.js';

export interface LineTemplaterOptions {
  dateReference: number;
  layout?: HeaderLayout | undefined;
  miner?: TemplateMinerOptions;
}

/**
 * Per-line templating for `parse`: one record per physical line (no multi-line assembly).
 * The format is detected once from a sample; the template covers the message (with a
 * layout: its `<Content>` field). Learn every line, `finish`, then `match` each line again
 * so that every line gets its final template.
 */
export class LineTemplater {
  private readonly parser: TemplateParser;
  private readonly fallback: LineFormat;
  private format: DetectedFormat | undefined;

  constructor(private readonly options: LineTemplaterOptions) {
    this.parser = new TemplateParser(options.miner ?? {});
    this.fallback = createHeaderFormat(options.dateReference);
  }

  detect(sample: readonly string[]): DetectedFormat {
    this.format = detectFormat(sample, {
      dateReference: this.options.dateReference,
      layout: this.options.layout,
    });
    return this.format;
  }

  get formatLabel(): string {
    return this.format?.label ?? 'plain';
  }

  get templateCount(): number {
    return this.parser.clusterCount;
  }

  get evictions(): number {
    return this.parser.evictions;
  }

  contentOf(line: string): string {
    if (this.format === undefined) throw new Error('LineTemplater: detect() before use');
    const p = parseLine(this.format, line, this.fallback);
    return p.mineText ?? p.message;
  }

  learn(line: string): void {
    this.parser.learn(this.contentOf(line));
  }

  /** Single pass: learns the line and returns its template as known now (see TemplateParser.learnLine). */
  learnLine(line: string): LineTemplate {
    return this.parser.learnLine(this.contentOf(line));
  }

  finish(): void {
    this.parser.finish();
  }

  match(line: string): LineTemplate {
    return this.parser.match(this.contentOf(line));
  }
}
