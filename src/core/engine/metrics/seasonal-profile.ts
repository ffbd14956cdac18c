/**
 * The expected value at each time of a period (a day, a week), one slot per sampling interval
 * (at least minSlotMs, at most an hour): an EW mean per slot over successive periods. Fixed size
 * once the interval is known, so memory per series is constant (a day: at most 1,440 slots, one
 * per minute; a week with 5-minute slots: 2,016).
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
    minSlotMs = 60_000,
  ) {
    const width = Math.min(Math.max(intervalMs, minSlotMs), 3_600_000);
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
    this.mean[s] =
      c === 0
        ? x
        : c === 1
          ? (this.mean[s]! + x) / 2
          : this.mean[s]! + this.rate * (x - this.mean[s]!);
    if (c < 0xffffffff) this.count[s] = c + 1;
  }
}
