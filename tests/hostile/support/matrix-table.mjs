// Reads tests/hostile/authorization-matrix.md: the expected status of every operation for every kind of caller.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const MATRIX_FILE = join(dirname(fileURLToPath(import.meta.url)), '..', 'authorization-matrix.md');

/** Column headings of the table, in order, and the id the tests use for each. */
export const COLUMNS = {
  'no key': 'noKey',
  malformed: 'malformed',
  revoked: 'revoked',
  'user A': 'userA',
  'user B': 'userB',
  admin: 'admin',
  'payment key': 'paymentKey',
};

/**
 * `{ [service]: { ["METHOD /path"]: { noKey: 401, …, paymentKey: 401 } } }` from the `## <service>` sections of
 * the file. Throws on a heading that is not a known column, a repeated row or a cell that is not a status.
 */
export function readMatrix(file = MATRIX_FILE) {
  const matrix = {};
  let service;
  let columns;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const heading = /^## (\S+)/.exec(line);
    if (heading) {
      service = heading[1];
      matrix[service] = {};
      columns = undefined;
      continue;
    }
    if (!service || !line.startsWith('|') || /^\|\s*-/.test(line)) continue;
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim());
    if (cells[0] === 'operation') {
      columns = cells.slice(1).map((name) => {
        if (!COLUMNS[name]) throw new Error(`${file}: unknown column "${name}"`);
        return COLUMNS[name];
      });
      continue;
    }
    if (!columns) continue;
    const key = cells[0];
    if (matrix[service][key]) throw new Error(`${file}: ${service} has two rows for ${key}`);
    matrix[service][key] = Object.fromEntries(
      columns.map((column, i) => {
        const status = Number(cells[i + 1]);
        if (!Number.isInteger(status) || status < 100 || status > 599) {
          throw new Error(`${file}: ${service} ${key} ${column}: "${cells[i + 1]}" is not a status`);
        }
        return [column, status];
      }),
    );
  }
  return matrix;
}

/** The columns of a row that succeed (2xx), e.g. ['userA', 'admin']: who may call the operation. */
export function allowedColumns(row) {
  return Object.entries(row ?? {})
    .filter(([, status]) => status >= 200 && status < 300)
    .map(([column]) => column);
}
