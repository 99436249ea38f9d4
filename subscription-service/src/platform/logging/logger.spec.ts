import type { FastifyReply, FastifyRequest } from 'fastify';
import { AccessLog } from './logger';

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
