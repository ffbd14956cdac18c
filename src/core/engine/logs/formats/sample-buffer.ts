import { DETECT_SAMPLE_LINES } from './detect-format.js';

/**
 * Holds a source's first lines until there are enough to detect its format, then hands the
 * sample over once (`onSample`) and replays it, in order, to `onLine`; later lines go straight
 * to `onLine`. `release` decides early, with what has arrived (end of input, a live stream).
 */
export class SampleBuffer {
  private sample: string[] | undefined = [];

  constructor(
    private readonly onSample: (sample: readonly string[]) => void,
    private readonly onLine: (line: string) => void,
    private readonly size = DETECT_SAMPLE_LINES,
  ) {}

  push(line: string): void {
    const sample = this.sample;
    if (sample === undefined) {
      this.onLine(line);
      return;
    }
    sample.push(line);
    if (sample.length >= this.size) this.release();
  }

  release(): void {
    const sample = this.sample;
    if (sample === undefined) return;
    this.sample = undefined;
    this.onSample(sample);
    for (const l of sample) this.onLine(l);
  }
}
