// Installs each package's locked dependencies when they are missing, so `npm test`, `npm start` and
// `npm run bench` work on a fresh clone with no manual step. `npm ci` is used (lockfile exact). Installed
// dependencies older than the package's package-lock.json (a pull that changed them) are installed again.
import { existsSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const packages = ['.', 'payment-service', 'subscription-service', 'bench'];

for (const pkg of packages) {
  const dir = join(root, pkg);
  const installed = join(dir, 'node_modules', '.package-lock.json');
  if (existsSync(installed) && statSync(installed).mtimeMs >= statSync(join(dir, 'package-lock.json')).mtimeMs)
    continue;
  console.log(`[install] npm ci in ${pkg}`);
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`[install] npm ci failed in ${pkg}`);
    process.exit(result.status ?? 1);
  }
}
