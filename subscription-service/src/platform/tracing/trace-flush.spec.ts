import { trace } from '@opentelemetry/api';
import { BatchSpanProcessor, InMemorySpanExporter, TracerProvider } from '@opentelemetry/sdk-trace';
import { TraceFlush } from './trace-flush';

describe(TraceFlush.name, () => {
  it('should do nothing when tracing is off', async () => {
    await expect(new TraceFlush().onApplicationShutdown()).resolves.toBeUndefined();
  });

  it('should export the spans still batched at shutdown', async () => {
    const exporter = new InMemorySpanExporter();
    // A batch delay far beyond the test: only the flush can export the span.
    const provider = new TracerProvider({
      spanProcessors: [new BatchSpanProcessor({ exporter, scheduledDelayMillis: 3_600_000 })],
    });
    trace.setGlobalTracerProvider(provider);
    try {
      trace.getTracer('test').startSpan('webhook delivery').end();
      expect(exporter.getFinishedSpans()).toHaveLength(0);
      await new TraceFlush().onApplicationShutdown();
      expect(exporter.getFinishedSpans().map((span) => span.name)).toEqual(['webhook delivery']);
    } finally {
      await provider.shutdown();
      trace.disable();
    }
  });
});
