/**
 * The architecture's import rules (docs/ARCHITECTURE.md, "Rules the tools enforce"), checked by `npm run lint`.
 * Type-only imports are erased at build time: they may cross a boundary but not form a runtime cycle.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-runtime-cycles',
      severity: 'error',
      comment: 'A cycle of runtime imports makes load order matter and the modules inseparable.',
      from: { path: '^src/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'modules-through-their-index',
      severity: 'error',
      comment:
        'A server module reaches another only through its surface: src/server/modules/<name>/index.ts, or data.ts (its repositories alone, for code that must not load the routes: a worker thread).',
      from: { path: '^src/server/modules/([^/]+)/' },
      to: { path: '^src/server/modules/', pathNot: ['^src/server/modules/$1/', '^src/server/modules/[^/]+/(index|data)\\.ts$'] },
    },
    {
      name: 'composition-through-module-index',
      severity: 'error',
      comment: 'The composition root, CLI, connector and jobs use a module only through its surface too.',
      // mount.ts applies the auth module's guard; through the auth index it would be a cycle (the index exports the
      // auth routes, which are mounted with mount.ts).
      from: { path: '^src/server/', pathNot: ['^src/server/modules/', '^src/server/http/mount\\.ts$'] },
      to: { path: '^src/server/modules/', pathNot: '^src/server/modules/[^/]+/(index|data)\\.ts$' },
    },
    {
      name: 'endpoints-from-the-catalogue',
      severity: 'error',
      comment: 'Routes are mounted from their catalogue declaration with mount()/mountRaw(); the bare route() helper is its internals.',
      from: { path: '^src/', pathNot: '^src/server/http/mount\\.ts$' },
      to: { path: '^src/server/http/route\\.ts$' },
    },
    {
      name: 'routes-do-not-touch-repositories',
      severity: 'error',
      comment:
        'Routes speak HTTP and call services or commands; only those reach the repositories and the db layer (its error classes aside: a route maps them to statuses).',
      from: { path: '\\.routes\\.ts$' },
      to: { path: '(\\.repository\\.ts$|^src/server/db/)', pathNot: '^src/server/db/storage-failure\\.ts$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'repositories-below-services',
      severity: 'error',
      comment: 'A repository knows SQL and nothing above it.',
      from: { path: '\\.repository\\.ts$' },
      to: { path: '(\\.routes\\.ts|\\.service\\.ts|\\.command\\.ts)$' },
    },
    {
      name: 'contracts-stand-alone',
      severity: 'error',
      comment: 'The contracts are shared by server and browser: they import nothing of either.',
      from: { path: '^src/contracts/' },
      to: { path: '^src/(server|web)/' },
    },
    {
      name: 'browser-not-server',
      severity: 'error',
      comment: 'The web app runs in the browser: it may use the contracts, never server code.',
      from: { path: '^src/web/' },
      to: { path: '^src/server/' },
    },
    {
      name: 'live-not-pages',
      severity: 'error',
      comment: "The live layer folds events into the query cache for every page: it cannot depend on one page's code.",
      from: { path: '^src/web/(live|realtime|api)/' },
      to: { path: '^src/web/pages/' },
    },
    {
      name: 'server-not-tests',
      severity: 'error',
      comment: 'Test oracles and fixtures live in tests/, never in what ships.',
      from: { path: '^src/' },
      to: { path: '^tests/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
