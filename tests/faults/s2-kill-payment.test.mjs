// Scenario 2: kill -9 the payment service mid-burst; restart it → every payment finishes and is delivered, none
// charged twice. Payments and webhook deliveries leased by the dead process must be taken over after their
// leases; the outbox re-sends with the same Idempotency-Key, which the payment row records.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { burst, burstChecks, checks, createUsers, sleep, startStack, waitSettled } from './harness.mjs';

const N = Number(process.env.FAULTS_BURST ?? 200);
const DOWN_MS = Number(process.env.FAULTS_PAYMENT_DOWN_MS ?? 5_000);

test(
  `scenario 2: kill -9 payment-service mid-burst of ${N}, restart after ${DOWN_MS / 1000} s`,
  { timeout: 300_000 },
  async () => {
    const c = checks('2 kill -9 payment');
    // Slower simulated processing so that payments are mid-processing (leased) when the process dies.
    const stack = await startStack({ name: 's2', paymentOptions: { simulationDelayMs: 200 } });
    try {
      const users = await createUsers(stack, 's2', N);
      const [pay] = stack.payment;
      let snapshot = null;
      let stopWatch = false;
      // Kill once a third of the payments exist in the payment DB (the outbox is still sending the rest).
      const killed = (async () => {
        while (!stopWatch) {
          const { rows } = await stack.pdb.query(
            "SELECT count(*)::int AS n FROM payments WHERE merchant_reference <> '' AND created_at > now() - interval '10 minutes'",
          );
          if (rows[0].n >= Math.floor(N / 3)) break;
          await sleep(20);
        }
        await pay.kill9();
        snapshot = (
          await stack.pdb.query(`SELECT
          (SELECT count(*)::int FROM payments) AS payments,
          (SELECT count(*)::int FROM payments WHERE status = 'processing' AND locked_until > now()) AS leased,
          (SELECT count(*)::int FROM webhook_deliveries WHERE status = 'pending' AND locked_until > now()) AS leased_deliveries`)
        ).rows[0];
        await sleep(DOWN_MS);
        await pay.start();
      })();
      const running = burst(stack, users, { prefix: 's2' });
      const results = await running;
      await killed;
      c.sent(N);
      c.info(
        'at kill: payments / leased processing / leased deliveries',
        snapshot && `${snapshot.payments} / ${snapshot.leased} / ${snapshot.leased_deliveries}`,
      );
      const settled = await waitSettled(stack, results, { timeoutMs: 150_000 });
      c.info(
        'pending at end: outbox / deliveries / processing',
        `${settled.pendingOutbox} / ${settled.pendingDeliveries} / ${settled.processing}`,
      );
      await burstChecks(stack, c, results, settled);
    } finally {
      await stack.stop();
    }
    c.finish(assert);
  },
);
