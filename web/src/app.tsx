import { Suspense, lazy, useCallback, useEffect, useState } from 'react';
import { ApiError, apiKey, followStream } from './api/client.js';
import type { SseEvent } from './api/client.js';
import { Analyses } from './views/analyses.js';
import { IncidentView } from './views/incident.js';
import { Logs } from './views/logs.js';
import { Metrics } from './views/metrics.js';
import { Overview } from './views/overview.js';
import { Patterns } from './views/patterns.js';
import { Settings } from './views/settings.js';
import { nextTheme, savedTheme, saveTheme } from './logic/theme.js';
import type { Theme } from './logic/theme.js';
import { Timeline } from './views/timeline.js';
import { Traces } from './views/traces.js';
import { parseRoute } from './logic/route.js';

// the graph view brings Cytoscape (440 KB): loaded when the view is opened, not with the page
const ServiceGraph = lazy(() =>
  import('./views/service-graph.js').then((m) => ({ default: m.ServiceGraph })),
);

/** The views of the header, in order: path and name. */
const VIEWS = [
  ['/', 'Overview'],
  ['/timeline', 'Timeline'],
  ['/graph', 'Service graph'],
  ['/metrics', 'Metrics'],
  ['/traces', 'Traces'],
  ['/logs', 'Logs'],
  ['/patterns', 'Log patterns'],
  ['/analyses', 'Analyses'],
  ['/settings', 'Settings'],
] as const;

/** The route is the URL's hash (#/, #/incidents/<id>): deep links work, the server serves one page. */
function useRoute(): string {
  const [route, setRoute] = useState(() => location.hash.replace(/^#/, '') || '/');
  useEffect(() => {
    const on = () => {
      setRoute(location.hash.replace(/^#/, '') || '/');
    };
    addEventListener('hashchange', on);
    return () => {
      removeEventListener('hashchange', on);
    };
  }, []);
  return route;
}

/** Live events from /api/v1/stream: a counter that views watch to refresh, and whether it is connected. */
function useLive(): { version: number; connected: boolean; last: SseEvent | undefined } {
  const [state, setState] = useState<{
    version: number;
    connected: boolean;
    last: SseEvent | undefined;
  }>({ version: 0, connected: false, last: undefined });
  useEffect(
    () =>
      followStream(
        (e) => {
          setState((s) => ({ ...s, version: s.version + 1, last: e }));
        },
        (connected) => {
          setState((s) => ({ ...s, connected }));
        },
      ),
    [],
  );
  return state;
}

function KeyPrompt({ onSaved }: { onSaved: () => void }) {
  const [key, setKey] = useState('');
  return (
    <form
      className="card key-prompt"
      onSubmit={(e) => {
        e.preventDefault();
        apiKey.set(key.trim());
        onSaved();
      }}
    >
      <h2>This server needs an API key</h2>
      <p>
        Paste a key with the read scope (or admin) here; it is kept in this browser only. A
        tenant&apos;s admin makes one while the server runs with{' '}
        <code>
          curl -H &apos;Authorization: Bearer &lt;admin key&gt;&apos; -H &apos;content-type:
          application/json&apos; -d &apos;{'{'}&quot;scope&quot;:&quot;read&quot;{'}'}&apos;
          {' <server>'}/api/v1/keys
        </code>
        ; with the server stopped,{' '}
        <code>bifrost keys create --scope read --tenant &lt;name&gt;</code> does the same.
      </p>
      <label>
        API key{' '}
        <input
          type="password"
          value={key}
          onChange={(e) => {
            setKey(e.target.value);
          }}
          autoFocus
          required
        />
      </label>
      <button type="submit">Use this key</button>
    </form>
  );
}

export function App() {
  const route = useRoute();
  const live = useLive();
  const [needKey, setNeedKey] = useState(false);
  const [, setReload] = useState(0);
  const onError = useCallback((e: unknown) => {
    if (e instanceof ApiError && e.status === 401) setNeedKey(true);
  }, []);
  const [theme, setTheme] = useState<Theme>(() => savedTheme(localStorage));
  useEffect(() => {
    if (theme === 'system') delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = theme;
    saveTheme(localStorage, theme);
  }, [theme]);
  const { path, params } = parseRoute(route);
  const incident = /^\/incidents\/([^/]+)$/.exec(path);
  const analysis = /^\/analyses(?:\/([^/]+))?$/.exec(path);
  return (
    <>
      <header className="top">
        <a href="#/" className="brand" aria-label="Bifrost overview">
          Bifrost
        </a>
        <nav aria-label="Views">
          {VIEWS.map(([href, label]) => (
            <a
              key={href}
              href={`#${href}`}
              aria-current={
                (href === '/' ? path === '/' : path === href || path.startsWith(`${href}/`))
                  ? 'page'
                  : undefined
              }
            >
              {label}
            </a>
          ))}
        </nav>
        <span className={`live ${live.connected ? 'on' : 'off'}`} role="status" aria-live="polite">
          {live.connected ? 'live' : 'reconnecting…'}
        </span>
        <button
          className="link theme"
          onClick={() => {
            setTheme(nextTheme(theme));
          }}
          aria-label={`colour theme: ${theme}; switch`}
        >
          {theme === 'system'
            ? 'theme: system'
            : theme === 'light'
              ? 'theme: light'
              : 'theme: dark'}
        </button>
        {apiKey.get() !== null && (
          <button
            className="link"
            onClick={() => {
              apiKey.clear();
              setReload((n) => n + 1);
            }}
          >
            forget key
          </button>
        )}
      </header>
      <main>
        {needKey ? (
          <KeyPrompt
            onSaved={() => {
              setNeedKey(false);
              setReload((n) => n + 1);
            }}
          />
        ) : path === '/timeline' ? (
          <Timeline live={live.version} onError={onError} />
        ) : path === '/graph' ? (
          <Suspense fallback={<p aria-busy="true">Loading the graph…</p>}>
            <ServiceGraph live={live.version} onError={onError} />
          </Suspense>
        ) : analysis !== null ? (
          <Analyses
            id={analysis[1] === undefined ? undefined : decodeURIComponent(analysis[1])}
            onError={onError}
          />
        ) : path === '/settings' ? (
          <Settings onError={onError} />
        ) : path === '/metrics' ? (
          <Metrics params={params} live={live.version} onError={onError} />
        ) : path === '/logs' ? (
          <Logs params={params} live={live.version} onError={onError} />
        ) : path === '/traces' ? (
          <Traces params={params} live={live.version} onError={onError} />
        ) : path === '/patterns' ? (
          <Patterns live={live.version} onError={onError} />
        ) : incident !== null ? (
          <IncidentView
            id={decodeURIComponent(incident[1]!)}
            live={live.version}
            onError={onError}
          />
        ) : (
          <Overview live={live.version} onError={onError} />
        )}
      </main>
    </>
  );
}
