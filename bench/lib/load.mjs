// Closed-loop HTTP load: wrk (-t2 -c50 --latency, exact percentiles from load/wrk-report.lua) when it
// is installed, else autocannon (npm, 50 connections; it reports no p95 and whole-millisecond latencies).
// Both run as separate processes on the same machine as the services, so they take CPU from them too.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runProcess } from './processes.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const WRK_SCRIPT = join(here, '..', 'load', 'wrk-report.lua');
const AUTOCANNON_BIN = join(
  dirname(createRequire(import.meta.url).resolve('autocannon/package.json')),
  'autocannon.js',
);
const CONNECTIONS = 50;

/** 'wrk' when it runs here and `preferred` does not say otherwise, else 'autocannon'. */
export function chooseLoadTool(preferred) {
  if (preferred === 'autocannon') return 'autocannon';
  const wrk = spawnSync('wrk', ['--version'], { encoding: 'utf8' });
  if (wrk.error || !/wrk/.test(`${wrk.stdout}${wrk.stderr}`)) {
    if (preferred === 'wrk') throw new Error('--load-tool wrk: wrk is not installed (apt-get install -y wrk)');
    return 'autocannon';
  }
  return 'wrk';
}

/**
 * Loads `url` for `seconds` with 50 connections. Returns { requests, rps, p50Ms, p95Ms, p99Ms,
 * failed, failures } where `failed` counts answers >= 400 (wrk) or non-2xx (autocannon) plus socket
 * errors and timeouts (10 s), and `failures` names them.
 */
export async function runLoad(tool, { url, headers = {}, seconds }) {
  return tool === 'wrk' ? runWrk(url, headers, seconds) : runAutocannon(url, headers, seconds);
}

async function runWrk(url, headers, seconds) {
  const headerArgs = Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]);
  const args = [
    '-t2',
    `-c${CONNECTIONS}`,
    `-d${seconds}s`,
    '--latency',
    '--timeout',
    '10s',
    '-s',
    WRK_SCRIPT,
    ...headerArgs,
    url,
  ];
  const { code, output } = await runProcess('wrk', 'wrk', args);
  const line = output.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
  if (code !== 0 || !line) throw new Error(`wrk failed (exit ${code}):\n${output}`);
  const r = JSON.parse(line.slice('BENCH_RESULT '.length));
  const failures = { 'status>=400': r.status, connect: r.connect, read: r.read, write: r.write, timeout: r.timeout };
  const ms = (us) => (r.requests > 0 ? us / 1000 : null);
  return {
    requests: r.requests,
    rps: r.requests / (r.durationUs / 1e6),
    p50Ms: ms(r.p50Us),
    p95Ms: ms(r.p95Us),
    p99Ms: ms(r.p99Us),
    ...failureSummary(failures),
  };
}

async function runAutocannon(url, headers, seconds) {
  const headerArgs = Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}=${v}`]);
  const args = [AUTOCANNON_BIN, '-c', String(CONNECTIONS), '-d', String(seconds), '-t', '10', '-j', ...headerArgs, url];
  const { code, output } = await runProcess('autocannon', process.execPath, args);
  const json = output.split('\n').find((l) => l.startsWith('{'));
  if (code !== 0 || !json) throw new Error(`autocannon failed (exit ${code}):\n${output}`);
  const r = JSON.parse(json);
  const failures = { non2xx: r.non2xx, errors: r.errors - r.timeouts, timeout: r.timeouts };
  return {
    requests: r.requests.total,
    rps: r.requests.total / r.duration,
    p50Ms: r.requests.total > 0 ? r.latency.p50 : null,
    p95Ms: null,
    p99Ms: r.requests.total > 0 ? r.latency.p99 : null,
    ...failureSummary(failures),
  };
}

function failureSummary(failures) {
  const nonZero = Object.entries(failures).filter(([, n]) => n > 0);
  return { failed: nonZero.reduce((sum, [, n]) => sum + n, 0), failures: Object.fromEntries(nonZero) };
}
