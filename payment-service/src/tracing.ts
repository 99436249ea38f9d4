// Loaded first by main.ts, before Nest, Fastify, pg or undici are required: OpenTelemetry's instrumentations patch
// those modules as they load. Tracing is off unless OTEL_EXPORTER_OTLP_ENDPOINT is set; then the SDK (and only
// then its packages) is loaded. Nothing else imports this file (README: Tracing).
if (process.env.OTEL_EXPORTER_OTLP_ENDPOINT) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when tracing is on
  (require('./platform/tracing/tracing-sdk') as typeof import('./platform/tracing/tracing-sdk')).startTracingSdk(
    'payment-service',
  );
}
