// `npm run test:faults` (which builds both services first): provisions PostgreSQL exactly like scripts/test.mjs
// (TEST_DATABASE_URL / DATABASE_URL when given, else an embedded PostgreSQL for the run), runs the fault scenarios
// one at a time against both services' dist/ and prints a summary table: scenario, operations sent, check,
// expected, observed.
//   node tests/faults/run.mjs [--only 3,5]   (scenario numbers, default all in order 1..7)
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { provisionPostgres } from '../../scripts/lib/postgres.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const SCENARIOS = [
  ['1', 's1-kill-subscription.test.mjs'],
  ['2', 's2-kill-payment.test.mjs'],
  ['3', 's3-replay-webhooks.test.mjs'],
  ['4', 's4-replicas.test.mjs'],
  ['5', 's5-concurrent-changes.test.mjs'],
  ['6', 's6-payment-outage.test.mjs'],
  ['7', 's7-outage-cancellations.test.mjs'],
];
const onlyIndex = process.argv.indexOf('--only');
const only = onlyIndex > 0 ? new Set(process.argv[onlyIndex + 1].split(',')) : null;
const selected = SCENARIOS.filter(([n]) => !only || only.has(n)).map(([, f]) => join(here, f));

for (const service of ['payment-service', 'subscription-service']) {
  if (!existsSync(join(root, service, 'dist', 'main.js'))) {
    console.error(`[faults] ${service}/dist/main.js is missing: run "npm run build" in ${service} first`);
    process.exit(2);
  }
}

const started = Date.now();
const work = mkdtempSync(join(tmpdir(), 'billing-faults-'));
const resultsFile = join(work, 'results.jsonl');
const db = await provisionPostgres({ givenUrl: process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL });
console.log(`[faults] using ${db.description}; logs in ${join(work, 'logs')}`);
let code = 1;
try {
  code = await new Promise((resolve) => {
    const child = spawn(process.execPath, ['--test', '--test-reporter=spec', '--test-concurrency=1', ...selected], {
      cwd: root,
      stdio: 'inherit',
      env: {
        ...process.env,
        TZ: 'UTC',
        FAULTS_PG_URL: db.urlFor('postgres'),
        FAULTS_RESULTS_FILE: resultsFile,
        FAULTS_LOG_DIR: join(work, 'logs'),
      },
    });
    child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0)));
  });
} finally {
  await db.stop();
}

const records = existsSync(resultsFile)
  ? readFileSync(resultsFile, 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
  : [];
const table = [['scenario', 'ops sent', 'check', 'expected', 'observed', '']];
for (const r of records) {
  r.rows.forEach((row, i) =>
    table.push([
      i === 0 ? r.scenario : '',
      i === 0 ? String(r.sent) : '',
      row.check,
      row.expected,
      row.observed,
      row.ok ? 'ok' : 'FAIL',
    ]),
  );
}
const widths = table[0].map((_, c) => Math.min(c === 4 ? 160 : 70, Math.max(...table.map((row) => row[c].length))));
const line = (row) => row.map((cell, c) => cell.slice(0, c === 4 ? 160 : 70).padEnd(widths[c])).join(' | ');
console.log('\n[faults] summary');
console.log(line(table[0]));
console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
for (const row of table.slice(1)) console.log(line(row));
const missing = selected.length - new Set(records.map((r) => r.scenario)).size;
if (missing > 0)
  console.log(
    `[faults] ${missing} scenario file(s) recorded no checks (crashed or timed out before the end; see above)`,
  );
console.log(`[faults] node --test exit code ${code}; total ${((Date.now() - started) / 1000).toFixed(1)} s`);
if (!process.env.FAULTS_KEEP_LOGS && code === 0) rmSync(work, { recursive: true, force: true });
process.exit(code);
