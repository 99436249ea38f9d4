// Phase 5, renewals: M active subscriptions made due at once by one SQL fixture transaction, then
// renewed by the services' own billing worker (default BILLING_POLL_INTERVAL_MS, 5 s) through the
// whole payment flow. Done when each has a renewal invoice that is paid.
import { insertDueSubscriptions } from '../lib/fixtures.mjs';
import { costPerOperation, measured, settledServiceDbCounters } from '../lib/measure.mjs';
import { fmtDbCost, fmtLabelled, fmtLoad } from '../lib/report.mjs';
import { distribution, fmt, fmtLatency, per } from '../lib/stats.mjs';

const NO_PROGRESS_TIMEOUT_MS = 120_000;
const POLL_MS = 500;

/**
 * Polls the count of paid renewal invoices created since the fixture commit (only the fixture's
 * subscriptions are due, so only they are renewed) until it reaches `total` or stops moving for
 * NO_PROGRESS_TIMEOUT_MS. Returns { paid, polls }.
 */
async function waitUntilPaid(db, { total, since }) {
  let paid = 0;
  let polls = 0;
  let lastProgress = Date.now();
  while (paid < total && Date.now() - lastProgress < NO_PROGRESS_TIMEOUT_MS) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    const { rows } = await db.query(
      "SELECT count(*)::int AS paid FROM invoices WHERE kind = 'renewal' AND status = 'paid' AND created_at >= $1",
      [since],
    );
    polls += 1;
    if (rows[0].paid > paid) lastProgress = Date.now();
    paid = rows[0].paid;
  }
  return { paid, polls };
}

/** Per fixture subscription, its renewal invoice's created_at and paid_at (ms; paid_at null if unpaid). */
async function renewalInvoices(db, ids) {
  const { rows } = await db.query(
    "SELECT created_at, paid_at FROM invoices WHERE kind = 'renewal' AND subscription_id = ANY($1::uuid[])",
    [ids],
  );
  return rows.map((r) => ({ created: r.created_at.getTime(), paid: r.paid_at?.getTime() ?? null }));
}

export default {
  name: 'renewals',
  title: '5. Renewals by the billing worker',
  async run(ctx) {
    const total = ctx.durations.renewals;
    // Counters settle before the fixture is written (the billing worker may pick it up at once); the CPU
    // measurement includes writing it (one multi-row INSERT transaction, counted as one bench query).
    const before = await settledServiceDbCounters(ctx);
    const m = await measured(ctx.cpu, async () => {
      const fixture = await insertDueSubscriptions(ctx.dbs.subscription, { tag: 'renew', count: total });
      const progress = await waitUntilPaid(ctx.dbs.subscription, {
        total,
        since: new Date(fixture.committedAt - 1000),
      });
      return { ...fixture, polls: progress.polls + 1 };
    });
    const after = await settledServiceDbCounters(ctx);
    const { ids, committedAt } = m.result;

    const invoices = await renewalInvoices(ctx.dbs.subscription, ids);
    const paid = invoices.filter((i) => i.paid !== null);
    if (paid.length < total)
      ctx.problem(
        `renewals: ${paid.length} of ${total} renewal invoices paid (no progress for ${NO_PROGRESS_TIMEOUT_MS / 1000} s)`,
      );
    const firstCreated = invoices.length ? Math.min(...invoices.map((i) => i.created)) : null;
    const lastPaid = paid.length ? Math.max(...paid.map((i) => i.paid)) : null;
    const fromCommitS = lastPaid === null ? null : (lastPaid - committedAt) / 1000;
    const fromFirstInvoiceS = lastPaid === null ? null : (lastPaid - firstCreated) / 1000;
    const iso = (ms) => (ms === null ? null : new Date(ms).toISOString());
    const invoiceToPaid = distribution(paid.map((i) => i.paid - i.created));
    const cost = costPerOperation({
      cpuMs: m.cpuMs,
      before,
      after,
      operations: paid.length,
      benchQueries: m.result.polls,
    });
    return {
      rows: [
        {
          phase: '5 renewals',
          measurement: `${paid.length}/${total} due at once → renewal invoice paid`,
          rate: `${fmt(per(paid.length, fromFirstInvoiceS))} renewals/s (${fmt(per(paid.length, fromCommitS))} from commit)`,
          latency: fmtLatency(invoiceToPaid),
          cpu: fmtLabelled(cost.cpuMs),
          notes: `all paid ${fmt(fromCommitS)} s after the fixture commit, ${fmt(fromFirstInvoiceS)} s after the first renewal invoice; latency = invoice created → paid; per renewal: ${fmtDbCost(cost)}`,
          load: fmtLoad(m.loadStart, m.loadEnd),
        },
      ],
      data: {
        due: total,
        paid: paid.length,
        committedAt: new Date(committedAt).toISOString(),
        firstRenewalInvoiceAt: iso(firstCreated),
        lastPaidAt: iso(lastPaid),
        secondsFromCommit: fromCommitS,
        secondsFromFirstInvoice: fromFirstInvoiceS,
        renewalsPerSecond: per(paid.length, fromFirstInvoiceS),
        invoiceCreatedToPaidMs: invoiceToPaid,
        perRenewal: cost,
        progressPolls: m.result.polls,
        cpuMs: m.cpuMs,
        counters: { before, after },
        loadStart: m.loadStart,
        loadEnd: m.loadEnd,
      },
    };
  },
};
