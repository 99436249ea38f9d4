// Scenario 1: kill -9 the subscription service during a burst of 200 subscriptions; restart it 20 s later →
// all 200 end in the right state (pm_card_visa → active, every 10th with pm_card_declined → incomplete), each
// webhook applied once. The client is careful: same Idempotency-Key on every retry.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { burst, burstChecks, checks, createUsers, sleep, startStack, waitSettled } from './harness.mjs';

const N = Number(process.env.FAULTS_BURST ?? 200);
const DOWN_MS = Number(process.env.FAULTS_DOWN_MS ?? 20_000);

test(
  `scenario 1: kill -9 subscription-service mid-burst of ${N}, restart after ${DOWN_MS / 1000} s`,
  { timeout: 300_000 },
  async () => {
    const c = checks('1 kill -9 subscription');
    const stack = await startStack({ name: 's1' });
    try {
      const users = await createUsers(stack, 's1', N);
      const [sub] = stack.subscription;
      let killedAt = null;
      let killed;
      const running = burst(stack, users, {
        prefix: 's1',
        deadlineMs: DOWN_MS + 120_000,
        onProgress: (done) => {
          if (!killed && done >= Math.floor(N / 3)) {
            killedAt = done;
            killed = sub.kill9().then(async () => {
              await sleep(DOWN_MS);
              await sub.start();
            });
          }
        },
      });
      const results = await running;
      await killed;
      c.sent(N);
      const inFlight = (
        await stack.sdb.query(
          `SELECT count(*)::int AS n FROM outbox_messages WHERE status = 'pending' AND locked_until > now()`,
        )
      ).rows[0].n;
      c.info(
        'killed after N subscribe answers; outbox rows still leased by the dead process',
        `${killedAt}; ${inFlight}`,
      );
      const settled = await waitSettled(stack, results, { timeoutMs: 150_000 });
      await burstChecks(stack, c, results, settled);
    } finally {
      await stack.stop();
    }
    c.finish(assert);
  },
);
