/** Layer rules from CONVENTIONS.md: cli/server -> adapters -> core; core imports nothing outside itself; views (the JSON answers) sit on core, beside the adapters. */
module.exports = {
  forbidden: [
    {
      name: 'core-is-pure',
      severity: 'error',
      comment:
        'src/core must not import adapters, cli, server or views (its tests may compose an in-memory adapter)',
      from: { path: '^src/core', pathNot: '\\.test\\.ts$' },
      to: { path: '^src/(adapters|cli|server|views)' },
    },
    {
      name: 'views-on-core',
      severity: 'error',
      comment:
        'src/views shapes core results into the JSON the CLI and the API answer with: it reads core only (and does no I/O)',
      from: { path: '^src/views' },
      to: { path: '^src/(adapters|cli|server)' },
    },
    {
      name: 'core-no-io',
      severity: 'error',
      comment: 'src/core and src/views do no I/O: no fs, net, http, child_process, worker_threads',
      from: { path: '^src/(core|views)', pathNot: '\\.test\\.ts$' },
      to: {
        dependencyTypes: ['core'],
        path: '^(node:)?(fs|fs/promises|net|http|https|child_process|worker_threads|dgram|tls|readline)$',
      },
    },
    {
      name: 'adapters-not-up',
      severity: 'error',
      from: { path: '^src/adapters' },
      to: { path: '^src/(cli|server)' },
    },
    {
      name: 'cli-server-apart',
      severity: 'error',
      comment: 'only `bifrost serve` starts the server, through its composition root',
      from: { path: '^src/cli', pathNot: '^src/cli/commands/serve\\.ts$' },
      to: { path: '^src/server' },
    },
    {
      name: 'serve-uses-server-main',
      severity: 'error',
      from: { path: '^src/cli/commands/serve\\.ts$' },
      to: { path: '^src/server', pathNot: '^src/server/main\\.ts$' },
    },
    {
      name: 'server-cli-apart',
      severity: 'error',
      from: { path: '^src/server' },
      to: { path: '^src/cli' },
    },
    {
      name: 'domain-imports-nothing',
      severity: 'error',
      comment: 'src/core/domain is the vocabulary: it imports only itself (and core/errors)',
      from: { path: '^src/core/domain', pathNot: '\\.test\\.ts$' },
      to: { path: '^src/core/(engine|ports|use-cases)' },
    },
    {
      name: 'engine-on-domain',
      severity: 'error',
      comment: 'the engines compute from domain data; the ports and use cases are above them',
      from: { path: '^src/core/engine', pathNot: '\\.test\\.ts$' },
      to: { path: '^src/core/(ports|use-cases)' },
    },
    {
      name: 'ports-on-domain',
      severity: 'error',
      comment: 'a port is described in domain terms',
      from: { path: '^src/core/ports' },
      to: { path: '^src/core/(engine|use-cases)' },
    },
    {
      name: 'adapters-not-sideways',
      severity: 'error',
      comment:
        'an adapter uses core and its own folder; wiring.ts composes adapters (and worker entry points, which compose in their thread)',
      from: {
        path: '^src/adapters/([^/]+)/',
        pathNot: ['\\.test\\.ts$', '^src/adapters/workers/'],
      },
      to: { path: '^src/adapters/', pathNot: '^src/adapters/$1/' },
    },
    {
      name: 'dashboard-apart',
      severity: 'error',
      comment:
        'the dashboard talks to the server over HTTP: it bundles no server, CLI or adapter code',
      from: { path: '^web/src' },
      to: { path: '^src/(adapters|cli|server)' },
    },
    {
      name: 'dashboard-view-types-only',
      severity: 'error',
      comment:
        'the dashboard reads the JSON answers the server sends: the view types, not their code',
      from: { path: '^web/src' },
      to: { path: '^src/views', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'dashboard-types-only-above-domain',
      severity: 'error',
      comment:
        'the dashboard may use domain values (constants, pure helpers); from engines, ports and use cases it takes types only',
      from: { path: '^web/src' },
      to: { path: '^src/core/(engine|ports|use-cases)', dependencyTypesNot: ['type-only'] },
    },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      extensions: ['.ts', '.js'],
    },
  },
};
