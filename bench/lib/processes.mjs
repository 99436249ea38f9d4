// Child processes of the benchmark (services, reference servers, load generators, the embedded
// PostgreSQL server): each starts in its own process group and is registered, so stopAll() — run on
// normal exit, on failure and on SIGINT/SIGTERM — can stop every one of them, grandchildren included.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';

const running = new Set();
let shuttingDown = false;

/**
 * Spawns `command` detached (own process group). Output goes to `logFile` when given, else it is
 * collected in `child.output` (for short-lived tools whose output is parsed).
 */
export function startProcess(name, command, args, { cwd, env, logFile, ipc = false } = {}) {
  if (shuttingDown) throw new Error(`not starting ${name}: the benchmark is stopping`);
  const fd = logFile ? openSync(logFile, 'a') : undefined;
  const out = fd ?? 'pipe';
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, ...env },
    detached: true,
    stdio: ['ignore', out, out, ...(ipc ? ['ipc'] : [])],
  });
  if (fd !== undefined) closeSync(fd);
  child.name = name;
  child.output = '';
  child.stdout?.on('data', (chunk) => (child.output += chunk));
  child.stderr?.on('data', (chunk) => (child.output += chunk));
  child.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  child.exited.then(() => running.delete(child));
  child.once('error', () => running.delete(child));
  running.add(child);
  return child;
}

/** Runs a command to completion; resolves with { code, output } (stdout and stderr interleaved). */
export async function runProcess(name, command, args, options = {}) {
  const child = startProcess(name, command, args, options);
  const error = new Promise((_, reject) => child.once('error', reject));
  const { code, signal } = await Promise.race([child.exited, error]);
  return { code: code ?? (signal ? 1 : 0), output: child.output };
}

function signalGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the group is gone already
  }
}

/** SIGTERM to the child's process group, SIGKILL after `graceMs`; resolves when the child has exited. */
export async function stopProcess(child, { graceMs = 10_000 } = {}) {
  if (!running.has(child)) return;
  signalGroup(child, 'SIGTERM');
  const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs);
  await child.exited;
  clearTimeout(timer);
  signalGroup(child, 'SIGKILL'); // grandchildren that outlived their parent
}

/** Stops every registered child, `last` (e.g. the database server) after all the others; starts no more. */
export async function stopAll({ last = [] } = {}) {
  shuttingDown = true;
  const first = [...running].filter((child) => !last.includes(child));
  await Promise.all(first.map((child) => stopProcess(child)));
  for (const child of last) await stopProcess(child);
}

/** Last resort when the process is exiting anyway: SIGKILL every group still registered. */
export function killAllNow() {
  for (const child of running) signalGroup(child, 'SIGKILL');
}
