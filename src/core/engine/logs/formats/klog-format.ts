import { SEVERITY } from '../../../domain/severity.js';
import type { SeverityNumber } from '../../../domain/severity.js';
import type { LineFormat } from './parsed-line.js';
import { yearOf } from '../timestamp.js';

/**
 * klog / glog, the format of Kubernetes components: `E0129 10:00:00.123456   12 file.go:123] msg`.
 * The year is not written: the caller's reference year is used.
 */
export function createKlogFormat(dateReference: number): LineFormat {
  return {
    name: 'klog',
    parse(line) {
      const l = line.charCodeAt(0);
      let severity: SeverityNumber;
      if (l === 73) severity = SEVERITY.INFO;
      else if (l === 87) severity = SEVERITY.WARN;
      else if (l === 69) severity = SEVERITY.ERROR;
      else if (l === 70) severity = SEVERITY.FATAL;
      else return undefined;
      if (
        line.length < 22 ||
        line.charCodeAt(5) !== 32 ||
        line.charCodeAt(8) !== 58 ||
        line.charCodeAt(11) !== 58
      )
        return undefined;
      const mo = Number(line.slice(1, 3));
      const day = Number(line.slice(3, 5));
      const h = Number(line.slice(6, 8));
      const mi = Number(line.slice(9, 11));
      const sec = Number(line.slice(12, 14));
      if (!(mo >= 1 && mo <= 12 && day >= 1 && day <= 31 && h <= 23 && mi <= 59 && sec <= 60))
        return undefined;
      let frac = 0;
      let p = 14;
      if (line.charCodeAt(p) === 46) {
        let q = p + 1;
        while (q < line.length && line.charCodeAt(q) >= 48 && line.charCodeAt(q) <= 57) q++;
        frac = Number('0.' + line.slice(p + 1, q)) * 1000;
        p = q;
      }
      const close = line.indexOf('] ', p);
      if (close < 0 || close - p > 80) return undefined;
      const loc = line.slice(p, close).trim().split(/\s+/);
      return {
        timeMs:
          Date.UTC(yearOf(dateReference, mo, day, h, mi, sec), mo - 1, day, h, mi, sec) + frac,
        severity,
        severityText: line[0],
        message: line.slice(close + 2),
        hasHeader: true,
        service: undefined,
        logger: loc[loc.length - 1],
        stream: undefined,
        partial: false,
      };
    },
  };
}
