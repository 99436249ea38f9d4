#!/usr/bin/env node
// Applies prisma/migrations/*/migration.sql and records them in `_prisma_migrations` exactly as
// `prisma migrate deploy` does, so both tools can be used on the same database. Exists because the
// Prisma CLI needs a downloaded schema engine, which air-gapped builds and slim images do not have.
// Safe to run repeatedly and from several replicas at once: everything happens under the same
// advisory lock Prisma takes.
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { Client } = require('pg');

const PRISMA_ADVISORY_LOCK_KEY = 72707369;
const MIGRATIONS_DIR = path.join(__dirname, '..', 'prisma', 'migrations');

// Prisma's own DDL for the history table (schema-engine, PostgreSQL flavour).
const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
);`;

function readMigrations() {
  return fs
    .readdirSync(MIGRATIONS_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = fs.readFileSync(path.join(MIGRATIONS_DIR, name, 'migration.sql'));
      return { name, sql: sql.toString('utf8'), checksum: crypto.createHash('sha256').update(sql).digest('hex') };
    });
}

async function migrate(databaseUrl, log = console.log) {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_ADVISORY_LOCK_KEY]);
    await client.query(CREATE_MIGRATIONS_TABLE);
    const { rows } = await client.query(
      'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"',
    );
    const history = new Map(rows.filter((row) => row.rolled_back_at === null).map((row) => [row.migration_name, row]));

    let applied = 0;
    for (const migration of readMigrations()) {
      const previous = history.get(migration.name);
      if (previous && previous.finished_at === null) {
        throw new Error(`migration ${migration.name} failed earlier; resolve it before migrating again`);
      }
      if (previous) {
        if (previous.checksum !== migration.checksum) {
          log(`warning: ${migration.name} was modified after it was applied`);
        }
        continue;
      }
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query(
          `INSERT INTO "_prisma_migrations"
             (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
           VALUES ($1, $2, now(), $3, NULL, NULL, now(), 1)`,
          [crypto.randomUUID(), migration.checksum, migration.name],
        );
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${migration.name} failed: ${error.message}`);
      }
      log(`applied ${migration.name}`);
      applied += 1;
    }
    log(applied === 0 ? 'database is up to date' : `${applied} migration(s) applied`);
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_ADVISORY_LOCK_KEY]).catch(() => undefined);
    await client.end();
  }
}

module.exports = { migrate };

if (require.main === module) {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    console.error('migrate: DATABASE_URL is required');
    process.exit(1);
  }
  migrate(databaseUrl).catch((error) => {
    console.error(`migrate: ${error.message}`);
    process.exit(1);
  });
}
