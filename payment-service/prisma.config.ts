import { defineConfig } from 'prisma/config';

// Only `prisma migrate` / `prisma db` need the URL; `prisma generate` must work without it (CI, Docker build).
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? '' },
});
