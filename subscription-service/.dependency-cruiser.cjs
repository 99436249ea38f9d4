// Dependency rules of subscription-service (issue 10: dependencies point one way). Run from the repository
// root: `npm run lint:deps` (or `npx depcruise -c subscription-service/.dependency-cruiser.cjs subscription-service/src`).
// Paths are matched wherever the service sits (`(^|/)src/...`), so the same rules work from the service folder.
const path = require('node:path');

/** A directory under src that holds pure domain code. */
const DOMAIN = '(^|/)src/[^/]+/domain/';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No module imports itself through others.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-folder-cycles',
      comment: 'Folders depend on each other one way only (each directory counts as one folder).',
      scope: 'folder',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'domain-is-pure',
      comment:
        'src/<feature>/domain/ imports only domain code (any domain folder) and node built-ins; its tests may also use test libraries.',
      severity: 'error',
      from: { path: DOMAIN, pathNot: '\\.spec\\.ts$' },
      to: { pathNot: DOMAIN, dependencyTypesNot: ['core'] },
    },
    {
      name: 'domain-tests-stay-in-domain',
      comment: 'Domain unit tests import domain code, node built-ins and npm test libraries only.',
      severity: 'error',
      from: { path: `${DOMAIN}.+\\.spec\\.ts$` },
      to: { pathNot: DOMAIN, dependencyTypesNot: ['core', 'npm', 'npm-dev'] },
    },
    {
      name: 'platform-imports-no-feature',
      comment:
        'src/platform is infrastructure: it may use config, the generated Prisma client and the shared money kernel (src/money: pure domain code, no module), never a feature folder.',
      severity: 'error',
      from: { path: '(^|/)src/platform/' },
      // node_modules excluded: npm packages built to build/src/ (e.g. @opentelemetry/*) are not this service's src.
      to: { path: '(^|/)src/', pathNot: ['(^|/)src/(platform|config|generated|money)/', '(^|/)node_modules/'] },
    },
    {
      name: 'workers-are-private',
      comment:
        'Only its own module file (same folder) and its spec import a *.worker.ts; everything else signals it (WorkSignal).',
      severity: 'error',
      from: { pathNot: ['\\.module\\.ts$', '\\.worker\\.spec\\.ts$'] },
      to: { path: '\\.worker\\.ts$' },
    },
    {
      name: 'workers-belong-to-their-module',
      comment: 'A module file imports only the workers of its own folder.',
      severity: 'error',
      from: { path: '^(.*/)[^/]+\\.module\\.ts$' },
      to: { path: '\\.worker\\.ts$', pathNot: '^$1[^/]+\\.worker\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)src/generated/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: path.join(__dirname, 'tsconfig.json') },
  },
};
