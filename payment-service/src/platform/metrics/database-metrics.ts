import { Injectable, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { Database } from '../database/database';
import { AppMetrics } from './app-metrics';

/**
 * The pool and readiness gauges of this application:
 * `db_pool_connections_in_use`, `db_pool_connections_idle`, `db_pool_connections_max` (DATABASE_POOL_SIZE),
 * `db_pool_requests_waiting` (queries waiting for a free connection: > 0 for long means the pool is too small), and
 * `service_ready` (1 when the database answers `SELECT 1`, as GET /health/ready checks; 0 when it does not).
 */
@Injectable()
export class DatabaseMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: AppMetrics,
    private readonly db: Database,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    const { pool } = this.db;
    this.metrics.gauge(
      { name: 'db_pool_connections_in_use', help: 'Pool connections checked out by a query or transaction.' },
      () => pool.totalCount - pool.idleCount,
    );
    this.metrics.gauge(
      { name: 'db_pool_connections_idle', help: 'Open pool connections waiting for work.' },
      () => pool.idleCount,
    );
    this.metrics.gauge(
      { name: 'db_pool_connections_max', help: 'Connections the pool may open (DATABASE_POOL_SIZE).' },
      () => this.config.databasePoolSize,
    );
    this.metrics.gauge(
      { name: 'db_pool_requests_waiting', help: 'Queries waiting for a free pool connection.' },
      () => pool.waitingCount,
    );
    this.metrics.cachedGauges(
      {
        ready: {
          name: 'service_ready',
          help: '1 when the database answers SELECT 1 (what GET /health/ready checks), else 0.',
        },
      },
      async () => {
        await this.db.query('SELECT 1');
        return { ready: [{ value: 1 }] };
      },
      { ready: [{ value: 0 }] },
    );
  }
}
