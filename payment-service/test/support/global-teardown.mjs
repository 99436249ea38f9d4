import fs from 'node:fs';

export default async function globalTeardown() {
  const embedded = globalThis.__paymentServiceEmbeddedPostgres;
  if (embedded) {
    await embedded.server.stop();
    fs.rmSync(embedded.databaseDir, { recursive: true, force: true });
  }
}
