import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';

// The W3C trace context (https://www.w3.org/TR/trace-context/) a background row carries, so the worker that picks the
// row up later continues the trace of the request that wrote it. Feature code stores and hands over an opaque
// string; nothing outside src/platform/tracing imports OpenTelemetry.

/** Separates `traceparent` from `tracestate` in a stored context (a traceparent never contains it). */
const SEPARATOR = ';';

/** The name this service's own spans are recorded under (the instrumentation scope). */
const TRACER_NAME = 'subscription-billing';

/**
 * The active trace context as stored text: the W3C `traceparent` (`00-<trace id>-<span id>-<flags>`), followed by
 * `;` and the `tracestate` when there is one. Null when no span is active, which is always the case when tracing is
 * off (no OTLP endpoint configured: the OpenTelemetry API is a no-op), so a row written then stores nothing.
 */
export function currentTraceContext(): string | null {
  if (!trace.getActiveSpan()) return null;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  const { traceparent, tracestate } = carrier;
  if (!traceparent) return null;
  return tracestate ? `${traceparent}${SEPARATOR}${tracestate}` : traceparent;
}

/**
 * Runs `work` inside a new span `name` whose parent is the `stored` context (currentTraceContext of the request that
 * wrote the row), so the spans `work` causes (its SQL, its outgoing HTTP call and, through `traceparent`, the other
 * service's spans) join that trace. The span ends when `work` settles; an error marks it failed and is rethrown.
 * With `stored` null (tracing off, or a row written before tracing was on) `work` simply runs: no span, no cost.
 */
export function withStoredTraceContext<T>(name: string, stored: string | null, work: () => Promise<T>): Promise<T> {
  if (stored === null) return work();
  const separator = stored.indexOf(SEPARATOR);
  const carrier: Record<string, string> =
    separator === -1
      ? { traceparent: stored }
      : { traceparent: stored.slice(0, separator), tracestate: stored.slice(separator + 1) };
  const parent = propagation.extract(ROOT_CONTEXT, carrier);
  return trace.getTracer(TRACER_NAME).startActiveSpan(name, { kind: SpanKind.INTERNAL }, parent, async (span) => {
    try {
      return await work();
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  });
}
