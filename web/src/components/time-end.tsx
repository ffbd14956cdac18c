import { useEffect, useState } from 'react';
import { minuteInput } from '../logic/range.js';
import { RangeChoice } from './range-choice.js';

/**
 * The end of a view's range: following the newest data, or pinned to a minute a person chose
 * (UTC). Pinned, the view stays on that time and live data does not move it; "Now" follows again.
 */
export function TimeEnd({
  toMs,
  pinned,
  onChange,
}: {
  /** The end shown now (the focus, or the pinned minute). */
  toMs: number | undefined;
  pinned: boolean;
  /** A minute as "2023-01-29T09:05" (UTC), or undefined to follow the newest data again. */
  onChange: (to: string | undefined) => void;
}) {
  const [text, setText] = useState(toMs === undefined ? '' : minuteInput(toMs));
  useEffect(() => {
    if (toMs !== undefined) setText(minuteInput(toMs));
  }, [toMs]);
  return (
    <span className="time-end" role="group" aria-label="End of the range">
      <label>
        until{' '}
        <input
          type="datetime-local"
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            if (e.target.value !== '') onChange(e.target.value);
          }}
        />{' '}
        UTC
      </label>{' '}
      {pinned ? (
        <button
          type="button"
          onClick={() => {
            onChange(undefined);
          }}
          title="follow the newest data again"
        >
          Now
        </button>
      ) : (
        <span className="following">following the newest data</span>
      )}
    </span>
  );
}

/** A view's range (its length, and its end: the newest data or a pinned minute), one change at a time. */
export function TimeRange<T extends string>({
  options,
  range,
  toMs,
  pinned,
  go,
}: {
  options: readonly T[];
  range: string;
  toMs: number | undefined;
  pinned: boolean;
  /** Changes the URL: a new length, or a new end (undefined: follow the newest data). */
  go: (over: { range?: T; to?: string | undefined }) => void;
}) {
  return (
    <>
      <RangeChoice
        options={options}
        value={range}
        onChange={(r) => {
          go({ range: r });
        }}
      />
      <TimeEnd
        toMs={toMs}
        pinned={pinned}
        onChange={(to) => {
          go({ to });
        }}
      />
    </>
  );
}
