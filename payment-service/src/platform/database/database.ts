import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { Pool, PoolClient, QueryResultRow } from 'pg';
import { AppConfig } from '../../config/app-config';

/**
 * A SQL statement with a name: `pg` prepares it once per connection and reuses the plan (about 30 %
 * less CPU per call than an unnamed statement, measured in docs/performance.md). Use it for fixed
 * SQL text; SQL built at run time goes in as a plain string.
 */
export interface Statement {
  readonly name: string;
  readonly text: string;
}

const statements = new Map<string, Statement>();

/** PostgreSQL keeps the first 63 bytes of a statement name (NAMEDATALEN − 1): longer names would collide. */
const MAX_NAME_LENGTH = 63;

/** Declares a named statement. Names are global per process: a second declaration of a name throws. */
export function statement(name: string, text: string): Statement {
  if (statements.has(name)) throw new Error(`SQL statement name "${name}" is declared twice`);
  const pgName =
    name.length <= MAX_NAME_LENGTH
      ? name
      : `${name.slice(0, 46)}_${createHash('sha1').update(name).digest('hex').slice(0, 16)}`;
  const declared = { name: pgName, text };
  statements.set(name, declared);
  return declared;
}

/**
 * The named statement for SQL assembled at run time from a small set of shapes (e.g. a list with optional
 * filters): `name` must identify the shape, and the same name must always come with the same text.
 */
export function statementFor(name: string, text: string): Statement {
  const known = statements.get(name);
  if (known && known.text !== text) throw new Error(`SQL statement "${name}" was declared with another text`);
  return known ?? statement(name, text);
}

/** Where repositories run SQL: the pool (each statement its own transaction) or one transaction's connection. */
export interface Sql {
  /** The rows of one statement; parameters are `$1…$n` in `values`. */
  query<Row extends QueryResultRow>(sql: Statement | string, values?: readonly unknown[]): Promise<Row[]>;
  /** The number of rows a statement inserted, updated or deleted. */
  execute(sql: Statement | string, values?: readonly unknown[]): Promise<number>;
}

/** A transaction's connection: statements run inside it, and work can be scheduled for when it ends. */
export interface SqlTransaction extends Sql {
  /**
   * Runs `callback(committed)` once the transaction has ended: `true` after COMMIT succeeded, `false` after
   * a rollback. For work that must only see committed rows (dispatching an outbox row this transaction
   * wrote) or undo an in-memory reservation. Callbacks run in order and must not throw.
   */
  onFinish(callback: (committed: boolean) => void): void;
}

type Queryable = Pick<Pool, 'query'> | Pick<PoolClient, 'query'>;

async function run<Row extends QueryResultRow>(
  target: Queryable,
  sql: Statement | string,
  values: readonly unknown[] = [],
) {
  const config =
    typeof sql === 'string'
      ? { text: sql, values: [...values] }
      : { name: sql.name, text: sql.text, values: [...values] };
  return target.query<Row>(config);
}

class ConnectionSql implements Sql {
  constructor(private readonly target: Queryable) {}

  async query<Row extends QueryResultRow>(sql: Statement | string, values?: readonly unknown[]): Promise<Row[]> {
    return (await run<Row>(this.target, sql, values)).rows;
  }

  async execute(sql: Statement | string, values?: readonly unknown[]): Promise<number> {
    return (await run(this.target, sql, values)).rowCount ?? 0;
  }
}

class TransactionSql extends ConnectionSql implements SqlTransaction {
  private readonly callbacks: ((committed: boolean) => void)[] = [];

  onFinish(callback: (committed: boolean) => void): void {
    this.callbacks.push(callback);
  }

  finish(committed: boolean): void {
    for (const callback of this.callbacks.splice(0)) callback(committed);
  }
}

/** How long a request waits for a free connection before it fails (503: the service is overloaded, not broken). */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * The service's one PostgreSQL connection pool (`DATABASE_POOL_SIZE` connections). The money path
 * (subscribe, outbox, webhooks, billing, the hot reads) runs plain SQL on it through repositories;
 * Prisma runs on the same pool (PrismaService wraps it with PrismaPg) for everything else. Why: Prisma 7
 * costs 0.32–0.45 CPU-ms per statement against 0.06–0.09 here (docs/performance.md, "Prisma vs pg").
 */
@Injectable()
export class Database implements Sql, OnApplicationShutdown {
  readonly pool: Pool;
  private readonly sql: ConnectionSql;

  constructor(config: AppConfig) {
    this.pool = new Pool({
      connectionString: config.databaseUrl,
      max: config.databasePoolSize,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    });
    // An idle connection that dies (database restart) must not crash the process; the pool replaces it.
    this.pool.on('error', () => undefined);
    this.sql = new ConnectionSql(this.pool);
  }

  query<Row extends QueryResultRow>(sql: Statement | string, values?: readonly unknown[]): Promise<Row[]> {
    return this.sql.query<Row>(sql, values);
  }

  execute(sql: Statement | string, values?: readonly unknown[]): Promise<number> {
    return this.sql.execute(sql, values);
  }

  /**
   * Runs `work` in one READ COMMITTED transaction on one connection: COMMIT when it resolves, ROLLBACK
   * when it throws (the error is rethrown), then the transaction's `onFinish` callbacks. A connection
   * whose ROLLBACK fails is discarded.
   */
  async transaction<T>(work: (tx: SqlTransaction) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    const tx = new TransactionSql(client);
    let broken: Error | undefined;
    let committed = false;
    try {
      await client.query('BEGIN');
      const result = await work(tx);
      await client.query('COMMIT');
      committed = true;
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
      throw error;
    } finally {
      client.release(broken);
      tx.finish(committed);
    }
  }

  /** After PrismaService (which does not own the pool) and every worker have stopped. */
  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}
