/**
 * The expected value at each time of a period (a day), one slot per sampling interval: an EW
 * mean per slot over successive periods. Fixed size once the interval is known, so memory per
 * series is constant (at most 1,440 slots: one per minute of a day).
 */
export class SeasonalProfile {
  private readonly mean: Float64Array;
  private readonly count: Uint32Array;
  private readonly slotMs: number;
  private slot = 0;

  constructor(
    readonly periodMs: number,
    intervalMs: number,
    private readonly rate: number,
  ) {
    const width = Math.min(Math.max(intervalMs, 60_000), 3_600_000);
    const slots = Math.max(1, Math.round(periodMs / width));
    this.mean = new Float64Array(slots);
    this.count = new Uint32Array(slots);
    this.slotMs = periodMs / slots;
  }

  /** Selects the slot of time t; returns the slot's expected value, or NaN until it has two periods. */
  expected(t: number): number {
    const phase = ((t % this.periodMs) + this.periodMs) % this.periodMs;
    this.slot = Math.min(this.mean.length - 1, Math.floor(phase / this.slotMs));
    return this.count[this.slot]! >= 2 ? this.mean[this.slot]! : NaN;
  }

  /** Learns x in the slot chosen by the last expected(). */
  learn(x: number): void {
    const s = this.slot;
    const c = this.count[s]!;
    this.mean[s] = c === 0 ? x : c === 1 ? (this.mean[s]! + x) / 2 : this.mean[s]! + this.rate * (x - this.mean[s]!);
    if (c < 0xffffffff) this.count[s] = c + 1;
  }
}
