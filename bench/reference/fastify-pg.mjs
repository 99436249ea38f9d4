// Reference server: bare Fastify + raw `pg` (pg.Pool, 10 connections) answering one primary-key read,
// SELECT * FROM plans WHERE id = $1, from the migrated and seeded subscription database. The ceiling
// for "an HTTP endpoint that reads one row" on this machine.
//   PORT=<port> DATABASE_URL=<url> PLAN_ID=<uuid> node fastify-pg.mjs
import Fastify from 'fastify';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const app = Fastify({ logger: false });
app.get('/', async (request, reply) => {
  const { rows } = await pool.query('SELECT * FROM plans WHERE id = $1', [process.env.PLAN_ID]);
  if (rows.length === 0) return reply.code(404).send({ error: 'plan not found' });
  return rows[0];
});
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
