// One trace from subscribe to active (issue 12 §2): both real services with tracing on, exporting OTLP/HTTP (JSON) to a
// receiver in this process. One subscribe must yield, under ONE trace id, the spans of both services along the whole
// path, background hops included: POST /v1/subscriptions → outbox send → POST /v1/payments (client and server) →
// payment processing → webhook delivery → POST /v1/webhooks/payments. The span list is printed for the record.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventually } from '../../scripts/lib/stack.mjs';
import { startStack } from './harness.mjs';

const SPAN_KIND = { 1: 'internal', 2: 'server', 3: 'client', 4: 'producer', 5: 'consumer' };

/** OTLP attribute list → { key: value } (string, int, bool and double values). */
function attributesOf(list = []) {
  const attributes = {};
  for (const { key, value } of list) {
    attributes[key] = value?.stringValue ?? value?.intValue ?? value?.boolValue ?? value?.doubleValue;
  }
  return attributes;
}

/**
 * An OTLP/HTTP trace receiver (JSON protocol): POST /v1/traces with an ExportTraceServiceRequest. Keeps every span,
 * flattened: { traceId, spanId, parentSpanId, name, kind, service, attributes }, and every request body as received.
 */
function startOtlpReceiver() {
  const spans = [];
  const bodies = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces' || !/json/.test(req.headers['content-type'] ?? '')) {
        res.writeHead(415, { 'content-type': 'text/plain' }).end('JSON OTLP traces only');
        return;
      }
      const body = Buffer.concat(chunks).toString('utf8');
      bodies.push(body);
      const request = JSON.parse(body);
      for (const resourceSpans of request.resourceSpans ?? []) {
        const service = attributesOf(resourceSpans.resource?.attributes)['service.name'];
        for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
          for (const span of scopeSpans.spans ?? []) {
            spans.push({
              traceId: span.traceId,
              spanId: span.spanId,
              parentSpanId: span.parentSpanId || null,
              name: span.name,
              kind: SPAN_KIND[span.kind] ?? String(span.kind),
              service,
              attributes: attributesOf(span.attributes),
            });
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return { spans, bodies, server };
}

describe('one trace from subscribe to active', () => {
  const receiver = startOtlpReceiver();
  let stack;
  const batchDelay = process.env.OTEL_BSP_SCHEDULE_DELAY;

  before(async () => {
    await new Promise((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    // Inherited by both services (the harness overlays its variables on this process's environment): spans leave
    // every 200 ms instead of every 5 s.
    process.env.OTEL_BSP_SCHEDULE_DELAY = '200';
    stack = await startStack({
      name: 'tracing',
      otlpEndpoint: `http://127.0.0.1:${receiver.server.address().port}`,
    });
  });

  after(async () => {
    if (batchDelay === undefined) delete process.env.OTEL_BSP_SCHEDULE_DELAY;
    else process.env.OTEL_BSP_SCHEDULE_DELAY = batchDelay;
    await stack?.stop();
    await new Promise((resolve) => receiver.server.close(resolve));
  });

  it('should record one subscribe, its payment and its webhook under one trace id across both services', async () => {
    // As the README flow: the admin creates a customer and a plan, the customer subscribes with a card that succeeds.
    const admin = stack.subscriptionApi();
    const user = await admin.post('/v1/users', { email: `trace-${randomUUID()}@example.com`, name: 'Trace Example' });
    assert.equal(user.status, 201, JSON.stringify(user.body));
    const plan = await admin.post('/v1/plans', {
      code: `traced-${randomUUID().slice(0, 8)}`,
      name: 'Traced',
      amount: 900,
      currency: 'USD',
      interval: 'month',
      intervalCount: 1,
    });
    assert.equal(plan.status, 201, JSON.stringify(plan.body));
    const customer = stack.subscriptionApi(user.body.apiKey);
    const created = await customer.post(
      '/v1/subscriptions',
      { planId: plan.body.id, paymentMethod: 'pm_card_visa' },
      { 'idempotency-key': randomUUID() },
    );
    assert.equal(created.status, 201, JSON.stringify(created.body));
    await eventually(
      async () => (await customer.get(`/v1/subscriptions/${created.body.id}`)).body.status === 'active',
      { what: 'the subscription to become active' },
    );

    // The server span of the subscribe names the trace; then wait until every hop of it has been exported.
    const subscribe = await eventually(
      () =>
        receiver.spans.find(
          (span) =>
            span.service === 'subscription-service' && span.kind === 'server' && span.name === 'POST /v1/subscriptions',
        ),
      { what: 'the server span of POST /v1/subscriptions' },
    );
    const inTrace = () => receiver.spans.filter((span) => span.traceId === subscribe.traceId);
    const find = (service, kind, name, where = () => true) =>
      inTrace().find((span) => span.service === service && span.kind === kind && span.name === name && where(span));
    const hops = () => {
      const outboxSend = find('subscription-service', 'internal', 'outbox send');
      const paymentsClient = find('subscription-service', 'client', 'POST', (span) =>
        String(span.attributes['url.full']).endsWith('/v1/payments'),
      );
      const paymentsServer = find('payment-service', 'server', 'POST /v1/payments');
      const processing = find('payment-service', 'internal', 'payment processing');
      const delivery = find('payment-service', 'internal', 'webhook delivery');
      const webhookClient = find('payment-service', 'client', 'POST', (span) =>
        String(span.attributes['url.full']).endsWith('/v1/webhooks/payments'),
      );
      const webhookServer = find('subscription-service', 'server', 'POST /v1/webhooks/payments');
      const all = { outboxSend, paymentsClient, paymentsServer, processing, delivery, webhookClient, webhookServer };
      return Object.values(all).every(Boolean) ? all : undefined;
    };
    const found = await eventually(hops, { what: 'every hop of the subscribe in its trace', lastOnTimeout: true });
    const spans = inTrace();
    const byId = new Map(spans.map((span) => [span.spanId, span]));
    console.log(
      [
        `trace ${subscribe.traceId}: ${spans.length} spans`,
        ...spans.map(
          (span) =>
            `  ${span.service.padEnd(21)} ${span.kind.padEnd(8)} ${span.name.padEnd(40)} ${span.spanId} ← ${
              span.parentSpanId
                ? `${span.parentSpanId} (${byId.get(span.parentSpanId)?.name ?? 'not exported'})`
                : 'root'
            }`,
        ),
      ].join('\n'),
    );
    assert.ok(found, `hops missing from trace ${subscribe.traceId} (span list above)`);

    // Each hop descends from the one before it: the stored trace context carried the trace across the queues.
    const isAncestor = (ancestor, span) => {
      for (let current = span; current; current = byId.get(current.parentSpanId)) {
        if (current.spanId === ancestor.spanId) return true;
      }
      return false;
    };
    const chain = [
      ['POST /v1/subscriptions', subscribe, 'outbox send', found.outboxSend],
      ['outbox send', found.outboxSend, 'the POST /v1/payments client span', found.paymentsClient],
      ['the POST /v1/payments client span', found.paymentsClient, 'POST /v1/payments (server)', found.paymentsServer],
      ['POST /v1/payments (server)', found.paymentsServer, 'payment processing', found.processing],
      ['payment processing', found.processing, 'webhook delivery', found.delivery],
      ['webhook delivery', found.delivery, 'the webhook client span', found.webhookClient],
      ['the webhook client span', found.webhookClient, 'POST /v1/webhooks/payments (server)', found.webhookServer],
    ];
    for (const [ancestorName, ancestor, spanName, span] of chain) {
      assert.ok(isAncestor(ancestor, span), `${spanName} does not descend from ${ancestorName}`);
    }
    // The client spans are the direct parents of the other service's server spans (traceparent on the wire).
    assert.equal(found.paymentsServer.parentSpanId, found.paymentsClient.spanId);
    assert.equal(found.webhookServer.parentSpanId, found.webhookClient.spanId);
    assert.deepEqual(new Set(spans.map((span) => span.service)), new Set(['subscription-service', 'payment-service']));

    // The log lines written inside the trace carry its id.
    for (const service of ['subscription-service', 'payment-service']) {
      const lines = readFileSync(join(stack.logDir, `${service}.log`), 'utf8')
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line));
      const traced = lines.filter((line) => line.trace_id === subscribe.traceId);
      assert.ok(traced.length > 0, `no ${service} log line carries trace_id ${subscribe.traceId}`);
      assert.ok(traced.every((line) => /^[0-9a-f]{16}$/.test(line.span_id)));
    }
  });

  it('should export no secret a client put in a URL, and no span for a metrics scrape or a health probe', async () => {
    for (const url of [
      stack.subscriptionMetricsUrl,
      stack.paymentMetricsUrl,
      `${stack.subscriptionUrl}/health/ready`,
    ]) {
      assert.equal((await fetch(url)).status, 200, url);
    }
    const secret = `sk_in_url_${randomUUID()}`;
    const listed = await stack.subscriptionApi().get(`/v1/plans?limit=1&token=${secret}`);
    assert.ok(listed.status < 500, JSON.stringify(listed.body));

    // Spans are exported in the order they end: once the later request's span is in, the earlier ones would be too.
    const plans = await eventually(
      () =>
        receiver.spans.find(
          (span) => span.service === 'subscription-service' && span.kind === 'server' && span.name === 'GET /v1/plans',
        ),
      { what: 'the server span of GET /v1/plans' },
    );
    assert.ok(
      Object.values(plans.attributes).some((value) => String(value).includes('token=[redacted]')),
      JSON.stringify(plans.attributes),
    );
    assert.equal(receiver.bodies.filter((body) => body.includes(secret)).length, 0, 'the secret left the service');
    const probes = receiver.spans.filter((span) =>
      ['url.path', 'http.target'].some((key) => /^\/(metrics|health\/)/.test(String(span.attributes[key] ?? ''))),
    );
    assert.deepEqual(probes, []);
  });
});
