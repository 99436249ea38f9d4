import { context, propagation, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { currentTraceContext, withStoredTraceContext } from './trace-context';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

describe('trace context of background rows', () => {
  describe('with tracing off (no SDK registered)', () => {
    it('should store nothing and run the work without a span', async () => {
      expect(currentTraceContext()).toBeNull();
      await expect(
        withStoredTraceContext('outbox send', null, () => Promise.resolve(trace.getActiveSpan())),
      ).resolves.toBeUndefined();
    });
  });

  describe('with tracing on', () => {
    const exporter = new InMemorySpanExporter();
    const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
    const contextManager = new AsyncLocalStorageContextManager();
    const tracer = () => trace.getTracer('test');

    beforeAll(() => {
      context.setGlobalContextManager(contextManager.enable());
      propagation.setGlobalPropagator(new W3CTraceContextPropagator());
      trace.setGlobalTracerProvider(provider);
    });
    afterEach(() => exporter.reset());
    afterAll(async () => {
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
    });

    it('should capture the active span as a W3C traceparent, and nothing outside a span', () => {
      expect(currentTraceContext()).toBeNull();
      tracer().startActiveSpan('POST /v1/subscriptions', (span) => {
        const [, traceId, spanId] = TRACEPARENT.exec(currentTraceContext() ?? '') ?? [];
        expect({ traceId, spanId }).toEqual({ traceId: span.spanContext().traceId, spanId: span.spanContext().spanId });
        span.end();
      });
    });

    it('should keep the tracestate after the first semicolon, there and back', () => {
      const stored = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01;vendor=a;b,other=c';
      return withStoredTraceContext('webhook delivery', stored, () => {
        expect(currentTraceContext()).toMatch(
          /^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01;vendor=a;b,other=c$/,
        );
        return Promise.resolve();
      });
    });

    it('should run the work in a span whose parent is the stored context, then end it', async () => {
      let stored: string | null = null;
      let request = { traceId: '', spanId: '' };
      tracer().startActiveSpan('POST /v1/subscriptions', (span) => {
        stored = currentTraceContext();
        request = span.spanContext();
        span.end();
      });
      // Later, in a worker: no span is active any more.
      const inner = await withStoredTraceContext('outbox send', stored, () =>
        Promise.resolve(tracer().startSpan('POST').spanContext()),
      );
      const send = exporter.getFinishedSpans().find((span) => span.name === 'outbox send');
      expect(send).toBeDefined();
      expect(send?.spanContext().traceId).toBe(request.traceId);
      expect(send?.parentSpanContext?.spanId).toBe(request.spanId);
      expect(inner.traceId).toBe(request.traceId);
      expect(send?.status.code).toBe(SpanStatusCode.UNSET);
    });

    it('should mark the span failed and rethrow when the work fails', async () => {
      const stored = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
      await expect(
        withStoredTraceContext('payment processing', stored, () => Promise.reject(new Error('database down'))),
      ).rejects.toThrow('database down');
      const [span] = exporter.getFinishedSpans();
      expect(span.name).toBe('payment processing');
      expect(span.status.code).toBe(SpanStatusCode.ERROR);
      expect(span.events.map((event) => event.name)).toEqual(['exception']);
    });
  });
});
