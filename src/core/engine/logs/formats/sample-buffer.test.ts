import { describe, expect, it } from 'vitest';
import { SampleBuffer } from './sample-buffer.js';

describe('SampleBuffer', () => {
  it('hands the sample over once, replays it in order, then passes lines straight through', () => {
    const events: string[] = [];
    const b = new SampleBuffer(
      (s) => events.push(`sample:${s.join(',')}`),
      (l) => events.push(l),
      2,
    );
    b.push('a');
    expect(events).toEqual([]);
    b.push('b');
    b.push('c');
    b.release();
    expect(events).toEqual(['sample:a,b', 'a', 'b', 'c']);
  });

  it('release decides early with what has arrived, also with nothing', () => {
    const samples: string[][] = [];
    const b = new SampleBuffer(
      (s) => samples.push([...s]),
      () => undefined,
      10,
    );
    b.release();
    b.push('x');
    expect(samples).toEqual([[]]);
  });
});
