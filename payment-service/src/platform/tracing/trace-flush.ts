import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { ProxyTracerProvider, trace } from '@opentelemetry/api';

/**
 * At shutdown, after the workers have finished their in-flight work (beforeApplicationShutdown), exports the spans
 * still waiting in the batch, so the last operations of a stopping replica reach the collector. Does nothing when
 * tracing is off (the global provider is then the API's no-op one).
 */
@Injectable()
export class TraceFlush implements OnApplicationShutdown {
  async onApplicationShutdown(): Promise<void> {
    const global = trace.getTracerProvider();
    const provider: object = global instanceof ProxyTracerProvider ? global.getDelegate() : global;
    if ('forceFlush' in provider && typeof provider.forceFlush === 'function') {
      await (provider.forceFlush as () => Promise<void>).call(provider);
    }
  }
}
