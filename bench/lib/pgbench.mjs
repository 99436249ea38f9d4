// PostgreSQL references on a scratch database: (a) single-row INSERT commits/s and (b) select-only
// TPS (pgbench's built-in -S: one primary-key read of pgbench_accounts, scale 1), 8 clients each.
// With pgbench installed: `pgbench -n -c 8 -j 2 -T <s> -f insert.sql` and `pgbench -i -s 1` then
// `pgbench -S -c 8 -j 2 -T <s>`. Without it: the same two workloads driven from Node by raw `pg`
// (8 connections in one process), labelled as such.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { runProcess } from './processes.mjs';

const CLIENTS = 8;
const INSERT_SQL = "INSERT INTO bench_insert (payload) VALUES ('x')";
const ACCOUNTS = 100_000; // rows of pgbench_accounts at scale 1

/** "pgbench (PostgreSQL) 15.x" or null when pgbench is not installed. */
export function findPgbench() {
  const result = spawnSync('pgbench', ['--version'], { encoding: 'utf8' });
  return result.error || result.status !== 0 ? null : result.stdout.trim();
}

async function withClient(url, fn) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function createInsertTable(url) {
  await withClient(url, (c) =>
    c.query(`DROP TABLE IF EXISTS bench_insert;
             CREATE TABLE bench_insert (id bigserial PRIMARY KEY, payload text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());`),
  );
}

/** pgbench -i -s 1 without pgbench: the same pgbench_accounts rows the select-only script reads. */
async function createAccountsTable(url) {
  await withClient(url, async (c) => {
    await c.query(`DROP TABLE IF EXISTS pgbench_accounts;
                   CREATE TABLE pgbench_accounts (aid int PRIMARY KEY, bid int NOT NULL, abalance int NOT NULL, filler char(84));
                   INSERT INTO pgbench_accounts SELECT aid, 1, 0, '' FROM generate_series(1, ${ACCOUNTS}) AS aid;`);
    await c.query('VACUUM ANALYZE pgbench_accounts'); // outside the implicit transaction of the statements above
  });
}

/**
 * The two workloads, each { name, prepare(), run(seconds) → { tps, latencyAvgMs, transactions, failed, tool } };
 * prepare() is kept out of the measured time.
 */
export function postgresWorkloads({ url, workDir, pgbench }) {
  const script = join(workDir, 'pgbench-insert.sql');
  if (pgbench) {
    return [
      {
        name: 'single-row INSERT, autocommit',
        prepare: async () => {
          await createInsertTable(url);
          writeFileSync(script, `${INSERT_SQL};\n`);
        },
        run: (seconds) =>
          runPgbench(['-n', '-c', String(CLIENTS), '-j', '2', '-T', String(seconds), '-f', script, url]),
      },
      {
        name: 'select-only (-S), scale 1',
        prepare: () => runPgbench(['-i', '-s', '1', '-q', url]),
        run: (seconds) => runPgbench(['-S', '-c', String(CLIENTS), '-j', '2', '-T', String(seconds), url]),
      },
    ];
  }
  return [
    {
      name: 'single-row INSERT, autocommit',
      prepare: () => createInsertTable(url),
      run: (seconds) => nodeClosedLoop(url, seconds, () => [INSERT_SQL]),
    },
    {
      name: 'select-only (-S), scale 1',
      prepare: () => createAccountsTable(url),
      run: (seconds) =>
        nodeClosedLoop(url, seconds, () => [
          'SELECT abalance FROM pgbench_accounts WHERE aid = $1',
          [1 + Math.floor(Math.random() * ACCOUNTS)],
        ]),
    },
  ];
}

async function runPgbench(args) {
  const { code, output } = await runProcess('pgbench', 'pgbench', args);
  if (code !== 0) throw new Error(`pgbench ${args.join(' ')} failed (exit ${code}):\n${output}`);
  return parsePgbench(output);
}

function parsePgbench(output) {
  const number = (re) => Number(re.exec(output)?.[1] ?? NaN);
  return {
    tps: number(/tps = ([\d.]+) \(without initial connection time\)/),
    latencyAvgMs: number(/latency average = ([\d.]+) ms/),
    transactions: number(/number of transactions actually processed: (\d+)/),
    failed: number(/number of failed transactions: (\d+)/) || 0,
    tool: 'pgbench',
  };
}

/** CLIENTS connections each running `statement()` back to back for `seconds`. */
async function nodeClosedLoop(url, seconds, statement) {
  const clients = Array.from({ length: CLIENTS }, () => new pg.Client({ connectionString: url }));
  await Promise.all(clients.map((c) => c.connect()));
  const latencies = [];
  const started = performance.now();
  const deadline = started + seconds * 1000;
  try {
    await Promise.all(
      clients.map(async (client) => {
        while (performance.now() < deadline) {
          const t0 = performance.now();
          await client.query(...statement());
          latencies.push(performance.now() - t0);
        }
      }),
    );
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
  const elapsed = (performance.now() - started) / 1000;
  return {
    tps: latencies.length / elapsed,
    latencyAvgMs: latencies.reduce((a, b) => a + b, 0) / latencies.length,
    transactions: latencies.length,
    failed: 0,
    tool: 'raw pg from Node, one process (pgbench not found)',
  };
}
