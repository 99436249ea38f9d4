// The PostgreSQL server of a benchmark run and what the benchmark reads from it.
// BENCH_DATABASE_URL (a server-level URL) names an existing server; otherwise an embedded PostgreSQL is
// started for the run in its own process (scripts/lib/postgres-server.mjs, as `npm start` does) on a
// fresh data directory, with pg_stat_statements loaded. Either way the bench databases are created
// fresh; on a given server they are dropped again at the end.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { provisionPostgres } from '../../scripts/lib/postgres.mjs';
import { startProcess, stopProcess } from './processes.mjs';

export const DATABASES = {
  payment: 'bench_payment',
  subscription: 'bench_subscription',
  reference: 'bench_ref',
  scale: 'bench_scale',
};

/** Starts (or adopts) the server and creates every bench database fresh. */
export async function provisionServer({ givenUrl, root, logDir }) {
  const embedded = givenUrl ? null : await startEmbeddedServer(root, logDir);
  const maintenanceUrl = givenUrl ?? embedded.url;
  const server = await provisionPostgres({ givenUrl: maintenanceUrl });
  for (const name of Object.values(DATABASES)) await server.createDatabase(name, { recreate: true });
  return {
    description: embedded ? embedded.description : server.description,
    urlFor: server.urlFor,
    serverProcess: embedded?.child ?? null,
    async stop() {
      if (embedded) return embedded.stop();
      await dropDatabases(server.urlFor('postgres'), Object.values(DATABASES));
    },
  };
}

async function startEmbeddedServer(root, logDir) {
  const dataDir = mkdtempSync(join(tmpdir(), 'billing-bench-pg-'));
  const child = startProcess(
    'postgres',
    process.execPath,
    [
      join(root, 'scripts/lib/postgres-server.mjs'),
      dataDir,
      'postgres',
      '--',
      '-c',
      'shared_preload_libraries=pg_stat_statements',
    ],
    { logFile: join(logDir, 'postgres.log'), ipc: true },
  );
  const stop = async () => {
    await stopProcess(child, { graceMs: 20_000 });
    rmSync(dataDir, { recursive: true, force: true, maxRetries: 5 });
  };
  try {
    const ready = await new Promise((resolve, reject) => {
      child.once('message', resolve);
      child.exited.then(({ code }) =>
        reject(new Error(`embedded PostgreSQL exited with code ${code}; see ${logDir}/postgres.log`)),
      );
    });
    return { child, url: ready.urls.postgres, description: ready.description, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function dropDatabases(maintenanceUrl, names) {
  const client = new pg.Client({ connectionString: maintenanceUrl });
  await client.connect();
  try {
    for (const name of names) await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** A pg.Client connected to `url`; the caller ends it. A lost connection fails its next query instead of crashing the run. */
export async function connect(url) {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

export async function serverVersion(client) {
  const { rows } = await client.query(
    "SELECT current_setting('server_version') AS version, current_setting('server_version_num')::int AS num",
  );
  return rows[0];
}

/**
 * The postmaster's pid when the server runs on this machine and its data directory is readable
 * (SHOW data_directory, then line 1 of postmaster.pid); null otherwise (PostgreSQL CPU is then n/a).
 */
export async function findPostmasterPid(client, url) {
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname)) return null;
  try {
    const { rows } = await client.query('SHOW data_directory');
    const pid = Number(readFileSync(join(rows[0].data_directory, 'postmaster.pid'), 'utf8').split('\n')[0]);
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return command.includes('postgres') ? pid : null;
  } catch {
    return null;
  }
}

/**
 * Reads transaction and statement counters per database. `statsClient` must be connected to a database
 * that is not measured (its own queries count there). Statement counts come from pg_stat_statements and
 * are null when it is not loaded. Backends flush pg_stat_database counters lazily (at most every second
 * while busy), so callers let the system settle for ~2 s before the final reading.
 */
export function databaseCounters(statsClient, serverVersionNum) {
  let statementsAvailable = null;
  const statementCounts = async (names) => {
    if (statementsAvailable === false) return null;
    try {
      if (statementsAvailable === null) await statsClient.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
      const { rows } = await statsClient.query(
        `SELECT d.datname, sum(s.calls)::bigint AS calls
           FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
          WHERE d.datname = ANY($1) GROUP BY d.datname`,
        [names],
      );
      statementsAvailable = true;
      return Object.fromEntries(rows.map((r) => [r.datname, Number(r.calls)]));
    } catch {
      statementsAvailable = false;
      return null;
    }
  };
  return {
    get statementsAvailable() {
      return statementsAvailable === true;
    },
    async read(names) {
      if (serverVersionNum >= 150000) await statsClient.query('SELECT pg_stat_force_next_flush()');
      const { rows } = await statsClient.query(
        'SELECT datname, (xact_commit + xact_rollback)::bigint AS xacts FROM pg_stat_database WHERE datname = ANY($1)',
        [names],
      );
      const statements = await statementCounts(names);
      return Object.fromEntries(
        names.map((name) => [
          name,
          {
            transactions: Number(rows.find((r) => r.datname === name)?.xacts ?? 0),
            statements: statements ? (statements[name] ?? 0) : null,
          },
        ]),
      );
    },
  };
}

/**
 * Waits until no other backend is running a statement or holding a transaction open in the databases
 * `names` (three quiet readings 50 ms apart), so requests abandoned by a finished load no longer run
 * when the next measurement starts. Resolves false after `timeoutMs` without quiet.
 */
export async function waitForQuiet(client, names, { timeoutMs = 60_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let quietReadings = 0;
  while (Date.now() < deadline) {
    const { rows } = await client.query(
      "SELECT count(*)::int AS busy FROM pg_stat_activity WHERE datname = ANY($1) AND state <> 'idle' AND pid <> pg_backend_pid()",
      [names],
    );
    quietReadings = rows[0].busy === 0 ? quietReadings + 1 : 0;
    if (quietReadings === 3) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}
