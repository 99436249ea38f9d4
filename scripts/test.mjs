// `npm test`: every suite of the repository against a real PostgreSQL.
//   0. mirrors              the platform files both services copy are still identical
//                           (scripts/check-mirrors.mjs, list in scripts/mirrored-files.json; no database)
//   0. formatting           prettier --check over every source file (`npm run format` fixes it; no database)
//   0. dependencies         import boundaries and no folder-level cycles (dependency-cruiser; no database)
//   0. deploy               deploy/kubernetes overlays rendered (`kubectl kustomize`) and validated offline against the
//                           Kubernetes API schemas and the services' env schemas (tests/deploy; no database, no cluster)
//   1. payment-service      type check, lint, unit + e2e (its own database)
//   2. subscription-service type check, lint, unit + e2e (its own database)
//   3. cross-service        both services built and started as real processes over HTTP
//   3. observability        deploy/observability: promtool checks the alert rules and their unit tests; every metric the
//                           rules and the Grafana dashboard use is served by the running services (tests/observability)
//   4. hostile              hostile input generated from both OpenAPI documents, and the authorization matrix
//                           (tests/hostile/; real processes over HTTP, like cross-service)
//   5. faults               kill -9, replicas, replays, contention and outages (tests/faults/)
//   6. bench                `node bench/run.mjs --quick` as a smoke test: fails only when something is
//                           functionally broken, never on a number (bench/README.md)
// Uses TEST_DATABASE_URL / DATABASE_URL when given (any database on that server; suites get
// their own databases next to it), otherwise starts an embedded PostgreSQL for the run.
// `--only <suite>` runs one suite (mirrors | formatting | dependencies | deploy | payment-service | subscription-service | cross-service | observability | hostile | faults | bench).
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { provisionPostgres } from './lib/postgres.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const onlyIndex = process.argv.indexOf('--only');
const only = onlyIndex > 0 ? process.argv[onlyIndex + 1] : undefined;

function run(command, args, { cwd, env = {} }) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, stdio: 'inherit', env: { ...process.env, ...env } });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

/** A service's own checks: type check, lint, then its unit + e2e tests on a fresh database. */
function serviceSuite(service, database) {
  return {
    name: service,
    run: async (db) => {
      const cwd = join(root, service);
      for (const check of ['typecheck', 'lint']) {
        const code = await run('npm', ['run', '--silent', check], { cwd });
        if (code !== 0) return code;
      }
      await db.createDatabase(database, { recreate: true });
      return run('npm', ['test'], { cwd, env: { TEST_DATABASE_URL: db.urlFor(database) } });
    },
  };
}

const CROSS_SERVICE_TESTS = ['stack-env', 'flow', 'tracing', 'readme-samples', 'swagger-ui'].map(
  (name) => `tests/cross-service/${name}.test.mjs`,
);

// Set once a suite has built both services in this run, so the next suites that start them need not build again.
let servicesBuilt = false;

/** Builds both services unless this run has already built them. Returns the first failing exit code, or 0. */
async function buildServicesOnce() {
  if (servicesBuilt) return 0;
  for (const service of ['payment-service', 'subscription-service']) {
    const code = await run('npm', ['run', 'build'], { cwd: join(root, service) });
    if (code !== 0) return code;
  }
  servicesBuilt = true;
  return 0;
}

/**
 * Test files that start both built services through the cross-service harness (which reads XS_*_DATABASE_URL), one
 * file at a time, on a fresh pair of databases `<prefix>_payment` and `<prefix>_subscription`. Builds the services
 * first unless this run already has. Returns the exit code.
 */
async function harnessTests(db, prefix, files) {
  const built = await buildServicesOnce();
  if (built !== 0) return built;
  await db.createDatabase(`${prefix}_payment`, { recreate: true });
  await db.createDatabase(`${prefix}_subscription`, { recreate: true });
  return run(process.execPath, ['--test', '--test-reporter=spec', '--test-concurrency=1', ...files], {
    cwd: root,
    env: {
      XS_PAYMENT_DATABASE_URL: db.urlFor(`${prefix}_payment`),
      XS_SUBSCRIPTION_DATABASE_URL: db.urlFor(`${prefix}_subscription`),
    },
  });
}

const suites = [
  {
    // Fast and database-free, so it runs first and fails early.
    name: 'mirrors',
    needsDatabase: false,
    run: () => run(process.execPath, ['scripts/check-mirrors.mjs'], { cwd: root }),
  },
  {
    // prettier (print width 120, .prettierrc.json): every source file as `npm run format` writes it.
    name: 'formatting',
    needsDatabase: false,
    run: () => run('npm', ['run', '--silent', 'format:check'], { cwd: root }),
  },
  {
    // dependency-cruiser: no folder or module cycle, pure domain code, platform imports no feature, workers
    // imported only by their module (subscription-service/.dependency-cruiser.cjs, payment-service/…).
    name: 'dependencies',
    needsDatabase: false,
    run: () => run('npm', ['run', '--silent', 'lint:deps'], { cwd: root }),
  },
  {
    // Kubernetes manifests: every overlay of deploy/kubernetes rendered with `kubectl kustomize` (fails, naming the
    // install, when kubectl is missing), each object validated with kubernetes-models, and the checks of
    // tests/deploy/kubernetes.test.mjs (env schema coverage, probes, security context, migrations, policies).
    name: 'deploy',
    needsDatabase: false,
    run: () =>
      run(process.execPath, ['--test', '--test-reporter=spec', 'tests/deploy/kubernetes.test.mjs'], { cwd: root }),
  },
  serviceSuite('payment-service', 'payment_service_test'),
  serviceSuite('subscription-service', 'subscription_service_test'),
  {
    name: 'cross-service',
    run: (db) => harnessTests(db, 'xs', CROSS_SERVICE_TESTS),
  },
  {
    // deploy/observability/: promtool (Debian's prometheus package; .ci/run installs it) checks the alert rules and runs
    // their unit tests; then both services, started by the cross-service harness on their own databases, must serve
    // every metric the rules and the Grafana dashboard use.
    name: 'observability',
    run: (db) => harnessTests(db, 'obs', ['tests/observability/observability.test.mjs']),
  },
  {
    // tests/hostile/: the hostile-input test (seeded, HOSTILE_SEED replays a run) and the authorization matrix
    // (tests/hostile/authorization-matrix.md), each on its own databases, both services started by the harness.
    name: 'hostile',
    run: async (db) => {
      const matrix = await harnessTests(db, 'authz', ['tests/hostile/authorization-matrix.test.mjs']);
      const hostile = await harnessTests(db, 'hostile', ['tests/hostile/hostile-input.test.mjs']);
      return matrix || hostile;
    },
  },
  {
    // Needs the builds made by the cross-service suite (or `npm run test:faults`, which builds).
    name: 'faults',
    run: (db) =>
      run(process.execPath, ['tests/faults/run.mjs'], { cwd: root, env: { TEST_DATABASE_URL: db.urlFor('postgres') } }),
  },
  {
    // Builds both services itself; creates (and drops) its bench_* databases on the same server.
    name: 'bench',
    run: (db) =>
      run(process.execPath, ['bench/run.mjs', '--quick'], {
        cwd: root,
        env: { BENCH_DATABASE_URL: db.urlFor('postgres') },
      }),
  },
];

const selected = suites.filter((suite) => !only || suite.name === only);
if (selected.length === 0) {
  console.error(`unknown suite "${only}"; known: ${suites.map((s) => s.name).join(', ')}`);
  process.exit(2);
}

const started = Date.now();
const needsDatabase = selected.some((suite) => suite.needsDatabase !== false);
const db = needsDatabase
  ? await provisionPostgres({ givenUrl: process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL })
  : { description: 'no database', stop: async () => {} };
console.log(`[test] using ${db.description}`);
const results = [];
try {
  for (const suite of selected) {
    const t0 = Date.now();
    console.log(`\n[test] ===== ${suite.name} =====`);
    const code = await suite.run(db);
    results.push({ name: suite.name, code, seconds: (Date.now() - t0) / 1000 });
  }
} finally {
  await db.stop();
}

console.log('\n[test] summary');
for (const r of results)
  console.log(`[test]   ${r.code === 0 ? 'PASS' : 'FAIL'}  ${r.name}  (${r.seconds.toFixed(1)} s)`);
console.log(`[test] total ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(results.every((r) => r.code === 0) ? 0 : 1);
