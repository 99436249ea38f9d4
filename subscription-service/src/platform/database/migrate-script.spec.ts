import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

// scripts/migrate.cjs is a twin of the other service's (scripts/check-mirrors.mjs): both refuse to run without a database.
describe('scripts/migrate.cjs', () => {
  it('should exit non-zero with a clear message when DATABASE_URL is missing', () => {
    const env = { ...process.env };
    delete env.DATABASE_URL;
    const result = spawnSync(process.execPath, [join(__dirname, '..', '..', '..', 'scripts', 'migrate.cjs')], {
      env,
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('DATABASE_URL is required');
  });
});
