import { defineConfig } from 'prisma/config';

// Used by the Prisma CLI only (generate; migrate deploy/status where the schema engine can be
// downloaded). The application connects through @prisma/adapter-pg with DATABASE_URL.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/unset' },
});
