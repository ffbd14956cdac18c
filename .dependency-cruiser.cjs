/** Layer rules from CONVENTIONS.md: cli/server -> adapters -> core; core imports nothing outside itself. */
module.exports = {
  forbidden: [
    {
      name: 'core-is-pure',
      severity: 'error',
      comment:
        'src/core must not import adapters, cli or server (its tests may compose an in-memory adapter)',
      from: { path: '^src/core', pathNot: '\\.test\\.ts$' },
      to: { path: '^src/(adapters|cli|server)' },
    },
    {
      name: 'core-no-io',
      severity: 'error',
      comment: 'src/core does no I/O: no fs, net, http, child_process, worker_threads',
      from: { path: '^src/core', pathNot: '\\.test\\.ts$' },
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
