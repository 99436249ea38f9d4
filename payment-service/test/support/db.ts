import { Pool } from 'pg';

/** Direct SQL on the suite's database: to set up states the API cannot produce (crashes) and to check rows. */
export function testDatabase(): Pool {
  return new Pool({ connectionString: process.env.DATABASE_URL, max: 2 });
}
