import { useCallback, useEffect, useState } from 'react';
import type { SyntheticEvent } from 'react';
import { ApiError, api } from '../api/client.js';
import type { ApiKeyView } from '../api/types.js';
import { Notifiers } from '../components/notifiers.js';
import { shortTime } from '../logic/format.js';

/** Settings: the tenant's API keys (create — shown once —, list, revoke; admin scope), the model behind explanations, where notifications go. */
export function Settings({ onError }: { onError: (e: unknown) => void }) {
  const [keys, setKeys] = useState<ApiKeyView[] | undefined>();
  const [denied, setDenied] = useState<string | undefined>();
  const [scope, setScope] = useState('read');
  const [name, setName] = useState('');
  const [created, setCreated] = useState<string | undefined>();
  const [model, setModel] = useState<string>('…');

  const load = useCallback(() => {
    api.keys().then(
      (r) => {
        setKeys(r.items);
        setDenied(undefined);
      },
      (e: unknown) => {
        if (e instanceof ApiError && e.status === 403) setDenied(e.message);
        else onError(e);
      },
    );
  }, [onError]);
  useEffect(load, [load]);
  useEffect(() => {
    api.llm().then(
      (l) => {
        setModel(
          l.provider === null
            ? (l.note ?? 'none')
            : `${l.provider} ${l.model ?? ''} — ${l.reachable ? 'answering' : `not reachable: ${l.note ?? ''}`}`,
        );
      },
      () => {
        setModel('unknown');
      },
    );
  }, []);

  const create = (e: SyntheticEvent) => {
    e.preventDefault();
    api.createKey(scope, name).then((k) => {
      setCreated(k.key);
      setName('');
      load();
    }, onError);
  };

  return (
    <div className="settings">
      <section aria-labelledby="keys-h" className="card">
        <h2 id="keys-h">API keys of this tenant</h2>
        {denied !== undefined ? (
          <p className="note">
            {denied} (keys are managed with an admin key, or bifrost keys on the server).
          </p>
        ) : keys === undefined ? (
          <p aria-busy="true">Loading…</p>
        ) : (
          <>
            <table className="keys">
              <thead>
                <tr>
                  <th scope="col">Id</th>
                  <th scope="col">Scope</th>
                  <th scope="col">Name</th>
                  <th scope="col">Created</th>
                  <th scope="col">State</th>
                  <th scope="col">
                    <span className="visually-hidden">Action</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {keys.map((k) => (
                  <tr key={k.id}>
                    <td>
                      <code>{k.id}</code>
                    </td>
                    <td>{k.scope}</td>
                    <td>{k.name}</td>
                    <td>{shortTime(Date.parse(k.created))}</td>
                    <td>
                      {k.revoked === null
                        ? 'active'
                        : `revoked ${shortTime(Date.parse(k.revoked))}`}
                    </td>
                    <td>
                      {k.revoked === null && (
                        <button
                          className="link"
                          onClick={() => {
                            if (confirm(`Revoke key ${k.id}? Clients using it stop working.`))
                              api.revokeKey(k.id).then(() => {
                                setCreated(undefined);
                                load();
                              }, onError);
                          }}
                        >
                          revoke
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <form className="toolbar" onSubmit={create}>
              <label>
                scope{' '}
                <select
                  value={scope}
                  onChange={(e) => {
                    setScope(e.target.value);
                  }}
                >
                  <option value="read">read</option>
                  <option value="ingest">ingest</option>
                  <option value="admin">admin</option>
                </select>
              </label>
              <label>
                name{' '}
                <input
                  value={name}
                  onChange={(e) => {
                    setName(e.target.value);
                  }}
                  placeholder="otel-collector"
                  maxLength={200}
                />
              </label>
              <button type="submit">Create key</button>
            </form>
            {created !== undefined && (
              <p className="created" role="status">
                New key, shown only now: <code>{created}</code>
              </p>
            )}
          </>
        )}
      </section>
      <section aria-labelledby="model-h" className="card">
        <h2 id="model-h">Model for explanations</h2>
        <p className="model">{model}</p>
        <p className="muted">
          Set with bifrost serve --llm ollama|openai|bedrock (and --model); secrets and personal
          data are redacted before anything reaches it.
        </p>
      </section>
      <Notifiers onError={onError} />
    </div>
  );
}
