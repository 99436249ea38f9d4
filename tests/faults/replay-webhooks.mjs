// Replay tool: reads real signed events from the payment database (`events.body` is stored verbatim, the exact bytes
// that were signed and delivered), re-signs them with the shared secret (Standard Webhooks: HMAC-SHA256 over
// "{webhook-id}.{timestamp}.{body}") and sends duplicates and shuffled, out-of-order copies to the receiver.
//
// CLI:  node tests/faults/replay-webhooks.mjs --payment-db <url> --target <url of POST /v1/webhooks/payments>
//         [--secret whsec_...] [--copies 3] [--rekey] [--concurrency 8] [--since <iso>]
//   --rekey  also sends each event under a fresh webhook-id (same body, same sequence): what a sender that
//            re-records an event would do. The receiver's per-payment sequence check must then ignore it.
import { createHmac, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { DEMO_SECRETS } from '../../scripts/lib/stack.mjs';

const DEMO_SECRET = DEMO_SECRETS.webhookSecret;

export function sign(secret, id, timestamp, body) {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

/** Events as stored: { id, type, paymentId, sequence, body, createdAt }, oldest first. */
export async function loadEvents(paymentDbUrl, { since, paymentIds } = {}) {
  const client = new pg.Client({ connectionString: paymentDbUrl });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT id, type, payment_id AS "paymentId", sequence, body, created_at AS "createdAt" FROM events
        WHERE ($1::timestamptz IS NULL OR created_at >= $1) AND ($2::uuid[] IS NULL OR payment_id = ANY($2::uuid[]))
        ORDER BY created_at, id`,
      [since ?? null, paymentIds ?? null],
    );
    return rows;
  } finally {
    await client.end();
  }
}

export function shuffle(items, random = Math.random) {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** One signed POST of `body` (a string, sent byte for byte) under `webhookId`. */
export async function send(target, { webhookId, body, secret = DEMO_SECRET }) {
  const timestamp = Math.floor(Date.now() / 1000);
  try {
    const res = await fetch(target, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': webhookId,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': sign(secret, webhookId, timestamp, body),
        'x-request-id': `replay-${webhookId.slice(0, 8)}`,
      },
      body,
      signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    let parsed;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
    return { status: res.status, body: parsed };
  } catch (error) {
    return { status: 0, body: String(error?.cause?.code ?? error) };
  }
}

/**
 * Builds the replay plan: `copies` exact duplicates of every event (same webhook-id), plus with `rekey` one copy
 * per event under a new webhook-id; the whole plan shuffled (so a payment's failure may arrive after another
 * payment's success for the same invoice, an older event after a newer one). Sends it with `concurrency` in flight.
 */
export async function replay({
  events,
  target,
  secret = DEMO_SECRET,
  copies = 3,
  rekey = false,
  concurrency = 8,
  random = Math.random,
}) {
  const plan = [];
  for (const e of events) {
    for (let c = 0; c < copies; c++) plan.push({ event: e, webhookId: e.id, rekeyed: false });
    if (rekey) plan.push({ event: e, webhookId: randomUUID(), rekeyed: true });
  }
  const order = shuffle(plan, random);
  const results = new Array(order.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, order.length) }, async () => {
      while (next < order.length) {
        const i = next++;
        const item = order[i];
        const res = await send(target, { webhookId: item.webhookId, body: item.event.body, secret });
        results[i] = { ...item, status: res.status, response: res.body };
      }
    }),
  );
  return results;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : fallback;
  };
  const paymentDb = arg('payment-db');
  const target = arg('target');
  if (!paymentDb || !target) {
    console.error(
      'usage: node tests/faults/replay-webhooks.mjs --payment-db <url> --target <webhook url> [--secret whsec_..] [--copies 3] [--rekey] [--since iso]',
    );
    process.exit(2);
  }
  const events = await loadEvents(paymentDb, { since: arg('since') });
  const results = await replay({
    events,
    target,
    secret: arg('secret', DEMO_SECRET),
    copies: Number(arg('copies', '3')),
    rekey: process.argv.includes('--rekey'),
    concurrency: Number(arg('concurrency', '8')),
  });
  const tally = {};
  for (const r of results) {
    const k = `${r.rekeyed ? 'rekeyed' : 'duplicate'} ${r.status} duplicate=${r.response?.duplicate}`;
    tally[k] = (tally[k] ?? 0) + 1;
  }
  console.log(JSON.stringify({ events: events.length, sent: results.length, tally }, null, 2));
}
