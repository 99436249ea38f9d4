// @ts-check
/**
 * Import rules of payment-service (dependency-cruiser 16). From the repository root:
 *   npx depcruise -c payment-service/.dependency-cruiser.cjs payment-service/src
 * or from payment-service/: `npx depcruise -c .dependency-cruiser.cjs src`.
 * dependency-cruiser reads TypeScript with the `typescript` package it can resolve; where it finds none it
 * cruises 0 modules and reports no violation, so check that the summary counts modules (through `npx -y`,
 * `NODE_PATH=payment-service/node_modules` lends it this service's `typescript`).
 *
 * Dependencies point one way. Feature folders, each importing only those after it:
 *   payments → refunds → webhooks → card-network, platform → config
 * (a payment shows its refunds; payments and refunds write the events webhooks sends; card-network is the
 * attempt worker base both features share). `money/` and every `domain/` folder are pure rules anyone may use.
 * Workers are wired by their module only: services hand them work through the WorkSignal
 * (src/platform/workers/work-signal.ts).
 */

/** The service's src/, whether cruised from the repository root or from payment-service/. */
const SRC = '^(payment-service/)?src/';
const folder = (/** @type {string} */ name) => `${SRC}${name}/`;

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular-folders',
      severity: 'error',
      comment: 'No cycle between folders: a folder and everything it imports never import it back.',
      scope: 'folder',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No cycle between modules.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment:
        'Domain code (any src/**/domain/) imports only other domain code and node built-ins: no Nest, Prisma, database or feature code.',
      from: { path: `${SRC}.+/domain/` },
      to: { pathNot: `${SRC}.+/domain/`, dependencyTypesNot: ['core'] },
    },
    {
      name: 'platform-imports-no-feature',
      severity: 'error',
      comment:
        'platform/ is cross-cutting: it may use config/, the generated Prisma client and the money/ kernel, never a feature or the app root.',
      from: { path: folder('platform') },
      to: { path: SRC, pathNot: [folder('platform'), folder('config'), folder('generated'), folder('money')] },
    },
    {
      name: 'config-imports-nothing',
      severity: 'error',
      comment: 'config/ is validated first and read by everything: it imports nothing else of src.',
      from: { path: folder('config') },
      to: { path: SRC, pathNot: folder('config') },
    },
    {
      name: 'features-point-one-way',
      severity: 'error',
      comment: 'payments → refunds → webhooks → card-network: no import backwards.',
      from: { path: `${SRC}(refunds|webhooks|card-network)/` },
      to: { path: folder('payments') },
    },
    {
      name: 'features-point-one-way-refunds',
      severity: 'error',
      comment: 'payments → refunds → webhooks → card-network: no import backwards.',
      from: { path: `${SRC}(webhooks|card-network)/` },
      to: { path: folder('refunds') },
    },
    {
      name: 'features-point-one-way-webhooks',
      severity: 'error',
      comment: 'payments → refunds → webhooks → card-network: no import backwards.',
      from: { path: folder('card-network') },
      to: { path: folder('webhooks') },
    },
    {
      name: 'no-worker-imports',
      severity: 'error',
      comment:
        'A worker is wired by its module (and tested by its spec); services raise work on the WorkSignal instead of injecting it.',
      from: { pathNot: '[.](module|spec)[.]ts$' },
      to: { path: '[.]worker[.]ts$' },
    },
    {
      name: 'no-worker-imports-from-other-folders',
      severity: 'error',
      comment: 'Only the module and specs of the folder a worker is in import it.',
      from: { path: '^(.+/)[^/]+[.](module|spec)[.]ts$' },
      to: { path: '[.]worker[.]ts$', pathNot: '^$1[^/]+[.]worker[.]ts$' },
    },
  ],
  options: {
    // The generated Prisma client is code we do not write (and has type-only cycles of its own).
    doNotFollow: { path: ['node_modules', `${SRC}generated/`] },
    // Type-only imports are dependencies too.
    tsPreCompilationDeps: true,
  },
};
