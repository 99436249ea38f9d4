import { FastifyOtelInstrumentation } from '@fastify/otel';
import { context, diag, DiagConsoleLogger, DiagLogLevel, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { getNumberFromEnv, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { RedactingSpanExporter } from './span-redaction';

/**
 * Health probes and metrics scrapes are not traced: a probe or a scrape every few seconds per pod would bury the traces
 * worth reading (the metrics server is a plain node:http server, seen only by the HTTP instrumentation).
 */
const isHealthProbe = (path: string | undefined): boolean => path?.startsWith('/health/') ?? false;
const isUntraced = (path: string | undefined): boolean =>
  isHealthProbe(path) || path === '/metrics' || (path?.startsWith('/metrics?') ?? false);

/**
 * Starts OpenTelemetry tracing for the whole process (src/tracing.ts calls it when `OTEL_EXPORTER_OTLP_ENDPOINT` is
 * set, before anything else is required: the instrumentations patch `http`, `pg` and Fastify as they load).
 * - Spans are batched and exported over OTLP/HTTP (JSON) to `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`; the
 *   exporter reads the other standard `OTEL_EXPORTER_OTLP_*` variables (headers, timeout), the batch
 *   processor `OTEL_BSP_SCHEDULE_DELAY`, `OTEL_BSP_EXPORT_TIMEOUT`, `OTEL_BSP_MAX_QUEUE_SIZE` and
 *   `OTEL_BSP_MAX_EXPORT_BATCH_SIZE`. `service.name` is `OTEL_SERVICE_NAME`, else `defaultServiceName`.
 * - W3C `traceparent`/`tracestate` are read from incoming requests and written on outgoing ones.
 * - Instrumented: incoming and outgoing HTTP (`http`; health probes and metrics scrapes left out), Fastify's routes (`@fastify/otel`:
 *   a `request` span, and the server span named `METHOD /route`), outgoing undici requests, and `pg` queries made inside a
 *   traced operation (a worker's polling query outside any span starts no trace of its own).
 * Statements are recorded as their name and parameterised text, never their parameter values. Secret query
 * parameters in URL attributes are redacted on export (span-redaction.ts).
 */
export function startTracingSdk(defaultServiceName: string): void {
  const serviceName = process.env.OTEL_SERVICE_NAME || defaultServiceName;
  const provider = new TracerProvider({
    resource: defaultResource().merge(resourceFromAttributes({ 'service.name': serviceName })),
    spanProcessors: [
      new BatchSpanProcessor({
        // No secret a client put in a URL leaves the process (the logs' rule): span-redaction.ts.
        exporter: new RedactingSpanExporter(new OTLPTraceExporter()),
        // The standard batch settings (this SDK's processor no longer reads them itself); unset: its defaults.
        scheduledDelayMillis: getNumberFromEnv('OTEL_BSP_SCHEDULE_DELAY'),
        exportTimeoutMillis: getNumberFromEnv('OTEL_BSP_EXPORT_TIMEOUT'),
        maxQueueSize: getNumberFromEnv('OTEL_BSP_MAX_QUEUE_SIZE'),
        maxExportBatchSize: getNumberFromEnv('OTEL_BSP_MAX_EXPORT_BATCH_SIZE'),
      }),
    ],
  });
  // The SDK reports what it cannot do (an export the collector refused or never answered) through its diagnostic
  // logger, silent until one is set: errors go to stderr, so a collector out of reach shows in the logs.
  diag.setLogger(new DiagConsoleLogger(), DiagLogLevel.ERROR);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  // Each instrumentation enables itself when constructed and records through the global provider set above.
  new HttpInstrumentation({ ignoreIncomingRequestHook: (request) => isUntraced(request.url) });
  new FastifyOtelInstrumentation({
    registerOnInitialization: true,
    instrumentHooks: false, // one span per Fastify hook is noise
    // Nest serves every route through one Fastify handler, whose span would only repeat the `request` span under a
    // plugin-chain name ("handler - fastify -> @fastify/otel -> …"): the request span is the parent of the SQL.
    instrumentHandler: false,
    ignorePaths: (route: { url: string }) => isHealthProbe(route.url),
  });
  new UndiciInstrumentation();
  new PgInstrumentation({ requireParentSpan: true });
}
