import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { redactUrl } from '../logging/redact-url';

/**
 * Span attributes that carry a request's URL or its path with the query: OpenTelemetry's stable HTTP semantic
 * conventions (`url.full` on client spans, `url.path` as @fastify/otel sets it, query included) and the older ones
 * (`http.url`, `http.target`).
 */
const URL_ATTRIBUTES = ['url.full', 'url.path', 'http.url', 'http.target'];

/** The query alone, without its `?` (`url.query`, stable conventions). */
const QUERY_ATTRIBUTE = 'url.query';

/**
 * `span` with the value of every secret query parameter in its URL attributes replaced by `[redacted]` (the rule of
 * the logs: redactUrl), or `span` itself when none holds one. The copy delegates everything else to `span`.
 */
export function redactSpanUrls(span: ReadableSpan): ReadableSpan {
  const redacted: Record<string, string> = {};
  for (const key of URL_ATTRIBUTES) {
    const value = span.attributes[key];
    if (typeof value !== 'string') continue;
    const safe = redactUrl(value);
    if (safe !== value) redacted[key] = safe;
  }
  const query = span.attributes[QUERY_ATTRIBUTE];
  if (typeof query === 'string') {
    const safe = redactUrl(`?${query}`).slice(1);
    if (safe !== query) redacted[QUERY_ATTRIBUTE] = safe;
  }
  if (Object.keys(redacted).length === 0) return span;
  return Object.create(span, {
    attributes: { value: { ...span.attributes, ...redacted }, enumerable: true },
  }) as ReadableSpan;
}

/**
 * Wraps the exporter that sends spans out of the process so that no secret a client put in a URL (`?api_key=`,
 * `?token=`…) leaves it: every span passes through redactSpanUrls on its way out, whichever instrumentation made it.
 */
export class RedactingSpanExporter implements SpanExporter {
  constructor(private readonly exporter: SpanExporter) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.exporter.export(spans.map(redactSpanUrls), resultCallback);
  }

  shutdown(): Promise<void> {
    return this.exporter.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.exporter.forceFlush?.() ?? Promise.resolve();
  }
}
