/**
 * Two reference detectors the KPI bench computes on the same files in the same run, each
 * causal (a point's score uses only the points up to it):
 * - Spectral Residual (Ren et al., "Time-Series Anomaly Detection Service at Microsoft", KDD
 *   2019): on the window ending at each point, extended by 5 estimated points, the saliency map
 *   S = |IFFT(exp(R + iP))| with R the log amplitude spectrum less its local mean (3 bins); the
 *   point's score is (S − S̄) / S̄, S̄ the mean saliency of the 21 points before it.
 * - A rolling robust z-score: |x − median| / (1.4826 · MAD) of the day before (1,440 points),
 *   the median and MAD refreshed every 60 points.
 */

/** Twiddle factors of a radix-2 FFT of length n: cos and sin of −2πk/n, k < n/2. */
function twiddles(n: number): { cos: Float64Array; sin: Float64Array } {
  const cos = new Float64Array(n >> 1);
  const sin = new Float64Array(n >> 1);
  for (let k = 0; k < n >> 1; k++) {
    cos[k] = Math.cos((-2 * Math.PI * k) / n);
    sin[k] = Math.sin((-2 * Math.PI * k) / n);
  }
  return { cos, sin };
}

/** In-place iterative radix-2 FFT of (re, im), length a power of 2; `inverse` without the 1/n. */
function fft(
  re: Float64Array,
  im: Float64Array,
  inverse: boolean,
  tw: { cos: Float64Array; sin: Float64Array },
): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      let t = re[i]!;
      re[i] = re[j]!;
      re[j] = t;
      t = im[i]!;
      im[i] = im[j]!;
      im[j] = t;
    }
  }
  const sign = inverse ? -1 : 1;
  for (let len = 2; len <= n; len <<= 1) {
    const half = len >> 1;
    const step = n / len;
    for (let i = 0; i < n; i += len) {
      for (let k = 0; k < half; k++) {
        const cr = tw.cos[k * step]!;
        const ci = sign * tw.sin[k * step]!;
        const a = i + k;
        const b = a + half;
        const xr = re[b]! * cr - im[b]! * ci;
        const xi = re[b]! * ci + im[b]! * cr;
        re[b] = re[a]! - xr;
        im[b] = im[a]! - xi;
        re[a] = re[a]! + xr;
        im[a] = im[a]! + xi;
      }
    }
  }
}

/** The next value as the SR service estimates it from the last points' average slope. */
function predictNext(values: ArrayLike<number>, from: number, to: number): number {
  const last = values[to - 1]!;
  let slopes = 0;
  for (let i = from; i < to - 1; i++) slopes += (last - values[i]!) / (to - 1 - i);
  return values[from + 1]! + slopes;
}

const SR_WINDOW = 512;
const SR_EXTEND = 5;
const SR_SCORE = 21;

export function spectralResidualScores(values: readonly number[]): Float64Array {
  const n = values.length;
  const out = new Float64Array(n);
  const real = SR_WINDOW - SR_EXTEND;
  const re = new Float64Array(SR_WINDOW);
  const im = new Float64Array(SR_WINDOW);
  const logAmp = new Float64Array(SR_WINDOW);
  const tw = twiddles(SR_WINDOW);
  for (let t = real - 1; t < n; t++) {
    const from = t - real + 1;
    for (let k = 0; k < real; k++) {
      re[k] = values[from + k]!;
      im[k] = 0;
    }
    // as the SR service extends a series: from the 6 points before the last
    const next = predictNext(values, t - 6, t);
    for (let k = real; k < SR_WINDOW; k++) {
      re[k] = next;
      im[k] = 0;
    }
    fft(re, im, false, tw);
    for (let k = 0; k < SR_WINDOW; k++)
      logAmp[k] = Math.log(Math.sqrt(re[k]! * re[k]! + im[k]! * im[k]!) + 1e-8);
    // exp(R + iP) = X · exp(−AL), since exp(L) = |X|: the spectrum over its local mean log amplitude (3 bins)
    for (let k = 0; k < SR_WINDOW; k++) {
      const lo = k > 0 ? logAmp[k - 1]! : 0;
      const hi = k + 1 < SR_WINDOW ? logAmp[k + 1]! : 0;
      const c = (k > 0 ? 1 : 0) + (k + 1 < SR_WINDOW ? 1 : 0) + 1;
      const scale = Math.exp(-(lo + logAmp[k]! + hi) / c);
      re[k] = re[k]! * scale;
      im[k] = im[k]! * scale;
    }
    fft(re, im, true, tw);
    const at = real - 1;
    const sal = (k: number) => Math.sqrt(re[k]! * re[k]! + im[k]! * im[k]!) / SR_WINDOW;
    let mean = 0;
    for (let k = at - SR_SCORE; k < at; k++) mean += sal(k);
    mean /= SR_SCORE;
    out[t] = mean > 0 ? (sal(at) - mean) / mean : 0;
  }
  return out;
}

const Z_WINDOW = 1440;
const Z_REFRESH = 60;

function median(sorted: Float64Array): number {
  const m = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[m]! : (sorted[m - 1]! + sorted[m]!) / 2;
}

export function robustZScores(values: readonly number[]): Float64Array {
  const n = values.length;
  const out = new Float64Array(n);
  let med = NaN;
  let scale = NaN;
  for (let t = 0; t < n; t++) {
    if (t % Z_REFRESH === 0 && t >= Z_REFRESH) {
      const w = Float64Array.from(values.slice(Math.max(0, t - Z_WINDOW), t)).sort();
      med = median(w);
      const dev = w.map((v) => Math.abs(v - med)).sort();
      const mad = median(dev);
      scale = 1.4826 * mad > 0 ? 1.4826 * mad : Math.max(Math.abs(med) * 1e-3, 1e-9);
    }
    out[t] = Number.isFinite(med) ? Math.abs(values[t]! - med) / scale : 0;
  }
  return out;
}
