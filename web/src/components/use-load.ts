import { useEffect, useState } from 'react';

/**
 * The result of an async load that reruns when `deps` change: `data` once it arrives, or `error`
 * (its message; also given to onError, where a 401 asks for a key). An answer that arrives after
 * the deps changed is dropped.
 */
export function useLoad<T>(
  load: () => Promise<T>,
  deps: readonly unknown[],
  onError?: (e: unknown) => void,
): { data?: T; error?: string } {
  const [state, setState] = useState<{ data?: T; error?: string }>({});
  useEffect(() => {
    const run = { alive: true };
    setState({});
    load().then(
      (data) => {
        if (run.alive) setState({ data });
      },
      (e: unknown) => {
        onError?.(e);
        if (run.alive) setState({ error: e instanceof Error ? e.message : String(e) });
      },
    );
    return () => {
      run.alive = false;
    };
  }, deps);
  return state;
}
