import { useCallback, useEffect, useState } from 'react';
import { ApiError, api } from '../api/client.js';
import type { NotifierView } from '../api/types.js';
import { shortTime } from '../logic/format.js';

/** Where incident notices go: each destination with its delivery figures, and a test notice on request (admin). */
export function Notifiers({ onError }: { onError: (e: unknown) => void }) {
  const [data, setData] = useState<{ items: NotifierView[]; configure: string } | undefined>();
  const [denied, setDenied] = useState<string | undefined>();
  const [testing, setTesting] = useState(false);
  const [results, setResults] = useState<
    { name: string; ok: boolean; error?: string; ms: number }[] | undefined
  >();
  const load = useCallback(() => {
    api.notifiers().then(setData, (e: unknown) => {
      if (e instanceof ApiError && e.status === 403) setDenied(e.message);
      else onError(e);
    });
  }, [onError]);
  useEffect(load, [load]);
  const test = () => {
    setTesting(true);
    setResults(undefined);
    api
      .testNotifiers()
      .then((r) => {
        setResults(r.items);
        load();
      }, onError)
      .finally(() => {
        setTesting(false);
      });
  };
  return (
    <section aria-labelledby="notifiers-h" className="card">
      <h2 id="notifiers-h">Notifications</h2>
      {denied !== undefined ? (
        <p className="note">{denied} (notification destinations are shown to admin keys).</p>
      ) : data === undefined ? (
        <p aria-busy="true">Loading…</p>
      ) : (
        <>
          {data.items.length === 0 ? (
            <p className="empty">No destination: incident changes are not sent anywhere.</p>
          ) : (
            <table className="notifiers">
              <thead>
                <tr>
                  <th scope="col">Destination</th>
                  <th scope="col">Sent</th>
                  <th scope="col">Failed</th>
                  <th scope="col">Last sent</th>
                  <th scope="col">Last failure</th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((n) => (
                  <tr key={n.name}>
                    <td>
                      <code>{n.name}</code>
                    </td>
                    <td className="num">{n.sent}</td>
                    <td className="num">{n.failed}</td>
                    <td>{n.lastSent === null ? '—' : shortTime(Date.parse(n.lastSent))}</td>
                    <td>
                      {n.lastFailure === null
                        ? '—'
                        : `${shortTime(Date.parse(n.lastFailure.time))}: ${n.lastFailure.message}`}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <p className="toolbar">
            <button onClick={test} disabled={testing || data.items.length === 0}>
              {testing ? 'Sending…' : 'Send a test notice'}
            </button>
          </p>
          {results !== undefined && (
            <div role="status">
              <ul className="test-results">
                {results.map((r) => (
                  <li key={r.name} className={r.ok ? 'ok' : 'error'}>
                    <code>{r.name}</code>:{' '}
                    {r.ok ? `delivered in ${r.ms} ms` : `failed: ${r.error ?? 'unknown error'}`}
                  </li>
                ))}
              </ul>
            </div>
          )}
          <p className="muted">
            One message per incident change (opened, updated, acknowledged, resolved), redacted,
            retried with back-off. {data.configure}.
          </p>
        </>
      )}
    </section>
  );
}
