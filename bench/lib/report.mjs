// The report: a header describing the run, one markdown table row per measurement (printed per phase
// as it completes, and all together at the end), and the JSON file with every raw figure.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fmt } from './stats.mjs';

const COLUMNS = [
  ['phase', 'Phase'],
  ['measurement', 'Measurement'],
  ['rate', 'Throughput'],
  ['latency', 'Latency ms p50 / p95 / p99'],
  ['cpu', 'CPU ms per op'],
  ['notes', 'Notes'],
  ['load', 'Load 1m start→end'],
];

/** "3.12→4.05" from two /proc/loadavg readings. */
export const fmtLoad = (start, end) => `${fmt(start.one, { digits: 2 })}→${fmt(end.one, { digits: 2 })}`;

/** "sub 1.23 · pay 0.45 · pg 0.67" from { label: number } (null → n/a). */
export function fmtLabelled(values) {
  return Object.entries(values)
    .map(([label, v]) => `${label} ${fmt(v)}`)
    .join(' · ');
}

/** Transactions (and statements, when pg_stat_statements is loaded) per operation, per database. */
export function fmtDbCost(cost) {
  const statements = Object.values(cost.statements).some((v) => v !== null)
    ? `; statements ${fmtLabelled(cost.statements)}`
    : '';
  return `transactions ${fmtLabelled(cost.transactions)}${statements}`;
}

const escape = (cell) => String(cell ?? '').replaceAll('|', '\\|');

export function markdownTable(rows) {
  const lines = [`| ${COLUMNS.map(([, title]) => title).join(' | ')} |`, `|${COLUMNS.map(() => '---').join('|')}|`];
  for (const row of rows) lines.push(`| ${COLUMNS.map(([key]) => escape(row[key])).join(' | ')} |`);
  return lines.join('\n');
}

function git(root, args) {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

/** Facts about the run printed first: date, commit, node, CPUs, load tool, PostgreSQL, pgbench. */
export function runHeader({ root, started, loadTool, postgres, pgbench, fastify, options }) {
  const commit = git(root, ['rev-parse', '--short', 'HEAD']);
  const dirty = git(root, ['status', '--porcelain']);
  return {
    date: started.toISOString(),
    commit: commit ? `${commit}${dirty ? ' (dirty)' : ''}` : 'unknown',
    node: process.version,
    cpus: cpus().length,
    loadTool,
    postgres,
    pgbench,
    fastify,
    mode: options.quick ? 'quick' : 'full',
    phases: options.phases.join(','),
    concurrency: options.concurrency,
  };
}

export function headerMarkdown(header) {
  return ['## Benchmark run', ...Object.entries(header ?? {}).map(([key, value]) => `- ${key}: ${value}`)].join('\n');
}

/** The whole report as markdown: header, results table, warnings and problems. */
export function reportMarkdown({ header, rows, warnings, problems }) {
  return [
    headerMarkdown(header),
    '',
    markdownTable(rows),
    ...warnings.map((w) => `\nwarning: ${w}`),
    ...problems.map((p) => `\nPROBLEM: ${p}`),
  ].join('\n');
}

/** Writes <dir>/<stamp>.json, <dir>/<stamp>.md and <dir>/latest.json; returns the JSON path. */
export function writeResults(dir, stamp, result, markdown) {
  mkdirSync(dir, { recursive: true });
  const json = `${JSON.stringify(result, null, 2)}\n`;
  writeFileSync(join(dir, `${stamp}.json`), json);
  writeFileSync(join(dir, 'latest.json'), json);
  writeFileSync(join(dir, `${stamp}.md`), `${markdown}\n`);
  return join(dir, `${stamp}.json`);
}
