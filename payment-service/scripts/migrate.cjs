#!/usr/bin/env node
// Applies prisma/migrations/*/migration.sql the way `prisma migrate deploy` does, without Prisma's
// schema engine (which cannot be downloaded on air-gapped machines). Each migration runs in its own
// transaction and is recorded in `_prisma_migrations` with Prisma's columns and checksum, so
// `prisma migrate status/deploy` keep working where the engine is available. A session-level
// advisory lock serialises concurrent runners (several replicas starting at once); re-running is a no-op.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const { Client } = require('pg');

const MIGRATIONS_DIR = path.resolve(__dirname, '..', 'prisma', 'migrations');
// Same key Prisma's schema engine uses for its own advisory lock.
const ADVISORY_LOCK_KEY = 72707369;

const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
);`;

function listMigrations(dir = MIGRATIONS_DIR) {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(dir, entry.name, 'migration.sql')))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = fs.readFileSync(path.join(dir, name, 'migration.sql'));
      return { name, sql: sql.toString('utf8'), checksum: crypto.createHash('sha256').update(sql).digest('hex') };
    });
}

async function migrate(databaseUrl, log = console.log) {
  if (!databaseUrl) throw new Error('DATABASE_URL is required to run migrations');
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [ADVISORY_LOCK_KEY]);
    await client.query(CREATE_MIGRATIONS_TABLE);
    const { rows } = await client.query(
      'SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL',
    );
    const unfinished = rows.filter((row) => row.finished_at === null);
    if (unfinished.length > 0) {
      throw new Error(
        `failed migrations recorded, resolve them first: ${unfinished.map((r) => r.migration_name).join(', ')}`,
      );
    }
    const applied = new Map(rows.map((row) => [row.migration_name, row.checksum]));
    let count = 0;
    for (const migration of listMigrations()) {
      if (applied.has(migration.name)) {
        if (applied.get(migration.name) !== migration.checksum) {
          log(`migrate: warning: ${migration.name} was modified after it was applied`);
        }
        continue;
      }
      await client.query('BEGIN');
      try {
        const startedAt = new Date();
        await client.query(migration.sql);
        await client.query(
          `INSERT INTO "_prisma_migrations"
             (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
           VALUES ($1, $2, now(), $3, NULL, NULL, $4, 1)`,
          [crypto.randomUUID(), migration.checksum, migration.name, startedAt],
        );
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${migration.name} failed: ${error.message}`);
      }
      log(`migrate: applied ${migration.name}`);
      count += 1;
    }
    log(count === 0 ? 'migrate: database is up to date' : `migrate: ${count} migration(s) applied`);
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [ADVISORY_LOCK_KEY]).catch(() => undefined);
    await client.end();
  }
}

module.exports = { migrate, listMigrations };

if (require.main === module) {
  migrate(process.env.DATABASE_URL).catch((error) => {
    console.error(`migrate: ${error.message}`);
    process.exit(1);
  });
}
