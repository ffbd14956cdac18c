/** A row of toggle buttons for a view's time range (1h, 6h, …): the chosen one pressed. */
export function RangeChoice<T extends string>({
  options,
  value,
  onChange,
}: {
  options: readonly T[];
  value: string;
  onChange: (r: T) => void;
}) {
  return (
    <span role="group" aria-label="Range">
      {options.map((r) => (
        <button
          type="button"
          key={r}
          className={r === value ? 'on' : 'off'}
          aria-pressed={r === value}
          onClick={() => {
            onChange(r);
          }}
        >
          {r}
        </button>
      ))}
    </span>
  );
}
