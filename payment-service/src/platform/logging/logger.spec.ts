import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AccessLog, createLogger } from './logger';

describe(AccessLog.name, () => {
  function complete(url: string, statusCode: number, error?: Error) {
    const log = { info: jest.fn(), error: jest.fn() };
    const reply = { statusCode, elapsedTime: 1.234, log } as unknown as FastifyReply;
    new AccessLog().requestCompleted(error, { method: 'GET', url } as FastifyRequest, reply);
    return log;
  }

  it('should log one line per completed request with method, path, status and time', () => {
    const log = complete('/v1/plans', 200);
    expect(log.info).toHaveBeenCalledWith(
      { req: { method: 'GET', url: '/v1/plans' }, res: { statusCode: 200 }, responseTime: 1.2 },
      'request completed',
    );
  });

  it('should not log a successful health probe, but log a failing one', () => {
    expect(complete('/health/live', 200).info).not.toHaveBeenCalled();
    expect(complete('/health/ready', 503).info).toHaveBeenCalledWith(
      expect.objectContaining({ res: { statusCode: 503 } }),
      'request completed',
    );
  });

  it('should log a request that errored at error level with the error', () => {
    const error = new Error('boom');
    expect(complete('/health/live', 500, error).error).toHaveBeenCalledWith(
      expect.objectContaining({ err: error }),
      'request errored',
    );
  });
});

describe(createLogger.name, () => {
  function logged(write: (logger: ReturnType<typeof createLogger>) => void): string {
    const lines: string[] = [];
    write(createLogger('info', { write: (line: string) => lines.push(line) }));
    return lines.join('');
  }

  it('should redact keys and signatures in request headers, wherever the client put them', () => {
    const line = logged((logger) =>
      logger.info({
        req: {
          headers: {
            authorization: 'Bearer sk_live_secret_1',
            'x-api-key': 'sk_live_secret_2',
            'api-key': 'sk_live_secret_3',
            cookie: 'session=secret_4',
            'webhook-signature': 'v1,c2VjcmV0XzU=',
            'user-agent': 'curl/8',
          },
        },
      }),
    );
    expect(line).not.toMatch(/secret|c2VjcmV0XzU/);
    expect(JSON.parse(line).req.headers).toEqual({
      authorization: '[redacted]',
      'x-api-key': '[redacted]',
      'api-key': '[redacted]',
      cookie: '[redacted]',
      'webhook-signature': '[redacted]',
      'user-agent': 'curl/8',
    });
  });

  it('should redact a key in the URL of an access log line and keep the rest of it', () => {
    const line = logged((logger) =>
      logger.info({ req: { method: 'GET', url: '/v1/plans?limit=5&api_key=sk_live_secret_1' } }, 'request completed'),
    );
    expect(line).not.toContain('sk_live_secret_1');
    expect(JSON.parse(line).req).toEqual({ method: 'GET', url: '/v1/plans?limit=5&api_key=[redacted]' });
  });
});

describe('createLogger trace ids', () => {
  const contextManager = new AsyncLocalStorageContextManager();
  const spanContext = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 };

  beforeAll(() => context.setGlobalContextManager(contextManager.enable()));
  afterAll(() => {
    context.disable();
    contextManager.disable();
  });

  function linesOf(write: (logger: ReturnType<typeof createLogger>) => void): Record<string, unknown>[] {
    const lines: string[] = [];
    write(createLogger('info', { write: (line: string) => lines.push(line) }));
    return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  it('should write the trace and span id of the active span on a line logged inside it', () => {
    const [line] = linesOf((logger) =>
      context.with(trace.setSpanContext(context.active(), spanContext), () => logger.info('payment requested')),
    );
    expect(line).toMatchObject({
      msg: 'payment requested',
      trace_id: spanContext.traceId,
      span_id: spanContext.spanId,
    });
  });

  it('should write no trace id outside a span or for an invalid span context', () => {
    const invalid = { ...spanContext, traceId: '00000000000000000000000000000000' };
    const lines = linesOf((logger) => {
      logger.info('outside');
      context.with(trace.setSpanContext(context.active(), invalid), () => logger.info('invalid'));
    });
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line).not.toHaveProperty('trace_id');
      expect(line).not.toHaveProperty('span_id');
    }
  });
});
