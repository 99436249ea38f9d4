import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { RedactingSpanExporter } from './span-redaction';

describe(RedactingSpanExporter.name, () => {
  const exported = new InMemorySpanExporter();
  const provider = new TracerProvider({
    spanProcessors: [new SimpleSpanProcessor({ exporter: new RedactingSpanExporter(exported) })],
  });
  const tracer = provider.getTracer('test');

  afterEach(() => exported.reset());
  afterAll(() => provider.shutdown());

  it('should redact secret query parameters in every URL attribute, keeping the rest of the span', () => {
    tracer
      .startSpan('GET /v1/plans', {
        kind: SpanKind.SERVER,
        attributes: {
          'url.path': '/v1/plans?limit=1&token=SECRET_1',
          'url.query': 'limit=1&api_key=SECRET_2',
          'url.full': 'http://localhost:3000/v1/plans?key=SECRET_3',
          'http.target': '/v1/plans?access_token=SECRET_4',
          'http.url': 'http://localhost:3000/v1/plans?password=SECRET_5',
          'http.response.status_code': 200,
        },
      })
      .end();

    const [span] = exported.getFinishedSpans();
    expect(JSON.stringify(span.attributes)).not.toMatch(/SECRET_/);
    expect(span.attributes).toEqual({
      'url.path': '/v1/plans?limit=1&token=[redacted]',
      'url.query': 'limit=1&api_key=[redacted]',
      'url.full': 'http://localhost:3000/v1/plans?key=[redacted]',
      'http.target': '/v1/plans?access_token=[redacted]',
      'http.url': 'http://localhost:3000/v1/plans?password=[redacted]',
      'http.response.status_code': 200,
    });
    expect(span.name).toBe('GET /v1/plans');
    expect(span.kind).toBe(SpanKind.SERVER);
    expect(span.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(span.duration).toHaveLength(2);
  });

  it('should hand a span without a secret on unchanged', () => {
    tracer.startSpan('GET /v1/plans', { attributes: { 'url.path': '/v1/plans?limit=1' } }).end();

    expect(exported.getFinishedSpans()[0].attributes).toEqual({ 'url.path': '/v1/plans?limit=1' });
  });
});
