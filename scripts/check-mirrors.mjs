// Twins stay twins: every file listed in scripts/mirrored-files.json must be byte-identical in
// subscription-service/ and payment-service/. Run first by `npm test` (suite "mirrors"); exits 1 with a
// short diff per differing or missing pair. `node scripts/check-mirrors.mjs` runs it alone.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SERVICES = ['subscription-service', 'payment-service'];
const MAX_DIFF_LINES = 40;

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { files } = JSON.parse(readFileSync(join(root, 'scripts', 'mirrored-files.json'), 'utf8'));

/** `[subscription-service path, payment-service path]`, relative to the repository root. */
function pathsOf(entry) {
  if (typeof entry === 'string') return SERVICES.map((service) => join(service, entry));
  return SERVICES.map((service) => {
    if (typeof entry[service] !== 'string')
      throw new Error(`mirrored-files.json: entry ${JSON.stringify(entry)} lacks "${service}"`);
    return join(service, entry[service]);
  });
}

function shortDiff(left, right) {
  const { stdout } = spawnSync('diff', ['-u', left, right], { cwd: root, encoding: 'utf8' });
  const lines = (stdout ?? '').split('\n');
  return lines.length > MAX_DIFF_LINES
    ? [...lines.slice(0, MAX_DIFF_LINES), `… ${lines.length - MAX_DIFF_LINES} more diff lines`]
    : lines;
}

const problems = [];
for (const entry of files) {
  const [left, right] = pathsOf(entry);
  const missing = [left, right].filter((path) => !existsSync(join(root, path)));
  if (missing.length > 0) {
    problems.push({ pair: `${left} ↔ ${right}`, detail: [`missing: ${missing.join(', ')}`] });
    continue;
  }
  if (!readFileSync(join(root, left)).equals(readFileSync(join(root, right)))) {
    problems.push({ pair: `${left} ↔ ${right}`, detail: shortDiff(left, right) });
  }
}

if (problems.length > 0) {
  console.error(`[mirrors] ${problems.length} of ${files.length} mirrored files differ between the services:`);
  for (const { pair, detail } of problems) {
    console.error(`\n[mirrors] ${pair}`);
    for (const line of detail) console.error(`  ${line}`);
  }
  console.error(
    '\n[mirrors] make the copies identical again (change both), or take the file out of scripts/mirrored-files.json if the services must now differ.',
  );
  process.exit(1);
}
console.log(`[mirrors] ${files.length} mirrored files identical in ${SERVICES.join(' and ')}`);
