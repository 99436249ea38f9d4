// Linux /proc readers: CPU time of a process (and of a PostgreSQL server with all its backends),
// resident memory and the load average. CPU times are in clock ticks (getconf CLK_TCK, usually 100/s).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const CLOCK_TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** Fields of /proc/<pid>/stat after the command name, so index 0 is field 3 (state); null when the process is gone. */
function statFields(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

const field = (fields, number) => Number(fields[number - 3]);

/** utime + stime (fields 14, 15) of one process, in ticks; null when it is gone. */
export function processTicks(pid) {
  const f = statFields(pid);
  return f ? field(f, 14) + field(f, 15) : null;
}

/**
 * CPU of a PostgreSQL server in ticks: the postmaster and every live child (backends, background
 * workers), plus the postmaster's cutime + cstime (fields 16, 17), which hold the CPU of children that
 * have exited and been reaped (e.g. closed connections).
 */
export function postgresTicks(postmasterPid) {
  const postmaster = statFields(postmasterPid);
  if (!postmaster) return null;
  let ticks = field(postmaster, 14) + field(postmaster, 15) + field(postmaster, 16) + field(postmaster, 17);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const f = statFields(entry);
    if (f && field(f, 4) === postmasterPid) ticks += field(f, 14) + field(f, 15);
  }
  return ticks;
}

/** VmRSS of a process in MiB, or null. */
export function rssMiB(pid) {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmRSS:'));
    return line ? Number(line.split(/\s+/)[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** 1-, 5- and 15-minute load averages. */
export function loadAverage() {
  const [one, five, fifteen] = readFileSync('/proc/loadavg', 'utf8').split(' ').map(Number);
  return { one, five, fifteen };
}

/**
 * CPU meter over named targets: { name: () => ticks | null }. `start()` samples every target;
 * `stop()` returns { name: CPU milliseconds since start | null } (null: target unknown or gone).
 */
export function cpuMeter(targets) {
  const sample = () => Object.fromEntries(Object.entries(targets).map(([name, read]) => [name, read()]));
  let before = null;
  return {
    start() {
      before = sample();
    },
    stop() {
      const after = sample();
      return Object.fromEntries(
        Object.keys(targets).map((name) => {
          const ok = before[name] !== null && after[name] !== null;
          return [name, ok ? ((after[name] - before[name]) * 1000) / CLOCK_TICKS_PER_SECOND : null];
        }),
      );
    },
  };
}
