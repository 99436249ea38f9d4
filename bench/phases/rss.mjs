// Phase 7, memory: VmRSS of each service idle right after startup (sampled during setup) and idle at the
// end of the run, after the load; each sample is taken after a few seconds without requests.
import { loadAverage, rssMiB } from '../lib/procfs.mjs';
import { fmtLoad } from '../lib/report.mjs';
import { fmt } from '../lib/stats.mjs';

const IDLE_MS = 3_000;

/** VmRSS (MiB) of both services after IDLE_MS without requests. */
export async function idleRss(ctx) {
  await new Promise((r) => setTimeout(r, IDLE_MS));
  return Object.fromEntries(Object.entries(ctx.services).map(([name, service]) => [name, rssMiB(service.pid)]));
}

export default {
  name: 'rss',
  title: '7. Memory (VmRSS)',
  async run(ctx) {
    const loadStart = loadAverage();
    const end = await idleRss(ctx);
    const load = fmtLoad(loadStart, loadAverage());
    const rows = Object.keys(end).map((name) => ({
      phase: '7 RSS',
      measurement: `${ctx.services[name].label} VmRSS`,
      rate: '',
      latency: '',
      cpu: '',
      notes: `idle after startup ${fmt(ctx.rssAtStartup[name])} MiB → idle after the run ${fmt(end[name])} MiB`,
      load,
    }));
    return { rows, data: { afterStartupMiB: ctx.rssAtStartup, atEndMiB: end } };
  },
};
