// A digest of every row of every table of a database, to tell whether a request changed any data.
import pg from 'pg';

/**
 * Connects to each database (`{ name: url }`) and returns `{ digest(), settle(), stats, close() }`:
 *   digest()  `{ "name.table": md5 }` over every row of every base table, rows ordered by their text form
 *             (md5(string_agg(row::text)) per table, all tables of a database in one query);
 *   settle()  polls digest() until it is the same `stableReads` times in a row `intervalMs` apart (the services'
 *             workers have finished what the last requests started) and returns it; after `timeoutMs` it returns
 *             the last one with `settled: false`;
 *   stats     how many digests and settles were taken, how long they took in all (ms), how many settles timed out.
 */
export async function openDigests(databases) {
  const clients = [];
  const queries = [];
  for (const [name, url] of Object.entries(databases)) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    clients.push(client);
    const { rows } = await client.query(
      `SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) AS qualified, table_name AS name
         FROM information_schema.tables
        WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')
        ORDER BY 1`,
    );
    const sql = rows
      .map(
        (t) =>
          `SELECT '${name}.${t.name}' AS t, md5(coalesce(string_agg(r::text, ',' ORDER BY r::text), '')) AS d FROM ${t.qualified} r`,
      )
      .join('\nUNION ALL ');
    queries.push({ client, sql });
  }

  const stats = { digests: 0, digestMs: 0, settles: 0, settleMs: 0, unsettled: 0 };

  async function digest() {
    const t0 = Date.now();
    stats.digests += 1;
    const result = {};
    for (const { client, sql } of queries) {
      const { rows } = await client.query(sql);
      for (const row of rows) result[row.t] = row.d;
    }
    stats.digestMs += Date.now() - t0;
    return result;
  }

  async function settle({ stableReads = 3, intervalMs = 200, timeoutMs = 15_000 } = {}) {
    const t0 = Date.now();
    stats.settles += 1;
    const deadline = t0 + timeoutMs;
    let last = await digest();
    let same = 1;
    while (same < stableReads) {
      if (Date.now() > deadline) {
        stats.settleMs += Date.now() - t0;
        stats.unsettled += 1;
        return { digest: last, settled: false };
      }
      await new Promise((r) => setTimeout(r, intervalMs));
      const next = await digest();
      same = equalDigests(next, last) ? same + 1 : 1;
      last = next;
    }
    stats.settleMs += Date.now() - t0;
    return { digest: last, settled: true };
  }

  return { digest, settle, stats, close: () => Promise.all(clients.map((c) => c.end())) };
}

/** Names of the tables whose digest differs. */
export function changedTables(before, after) {
  return Object.keys({ ...before, ...after }).filter((table) => before[table] !== after[table]);
}

export function equalDigests(a, b) {
  return changedTables(a, b).length === 0;
}
