import { ArgumentsHost, BadRequestException, HttpException, Logger, NotFoundException } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import { DatabaseError } from 'pg';
import { Prisma } from '../../generated/prisma/client';
import { DomainError } from './domain-error';
import { ProblemDetails, toProblemDetails } from './problem-details';
import { ProblemDetailsFilter } from './problem-details.filter';

function render(exception: unknown): { status: number; contentType: string; body: ProblemDetails } {
  const sent: { status?: number; contentType?: string; body?: ProblemDetails } = {};
  const reply = {
    status(code: number) {
      sent.status = code;
      return this;
    },
    header(name: string, value: string) {
      if (name === 'content-type') sent.contentType = value;
      return this;
    },
    send(body: ProblemDetails) {
      sent.body = body;
      return this;
    },
  };
  const host = {
    switchToHttp: () => ({ getRequest: () => ({ id: 'req-1' }), getResponse: () => reply }),
  } as unknown as ArgumentsHost;
  new ProblemDetailsFilter().catch(exception, host);
  return { status: sent.status as number, contentType: sent.contentType as string, body: sent.body as ProblemDetails };
}

const prismaError = (code: string, meta?: Record<string, unknown>) =>
  new Prisma.PrismaClientKnownRequestError('db says no', { code, clientVersion: '7', meta });
const pgError = (code: string) => Object.assign(new DatabaseError('db says no', 0, 'error'), { code });

describe(ProblemDetailsFilter.name, () => {
  beforeAll(() => {
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterAll(() => jest.restoreAllMocks());

  it('should render a domain error as problem+json with its code, type, the title of its status and the request id', () => {
    const { status, contentType, body } = render(new DomainError('idempotency_key_in_use', 'Still running.'));
    expect(status).toBe(409);
    expect(contentType).toContain('application/problem+json');
    expect(body).toEqual({
      type: 'https://errors.billing.example/idempotency_key_in_use',
      title: 'Conflict',
      status: 409,
      detail: 'Still running.',
      code: 'idempotency_key_in_use',
      requestId: 'req-1',
    });
  });

  it('should give every problem of a status the same sentence-case title (RFC 9110 reason phrase)', () => {
    expect(render(DomainError.validation([])).body.title).toBe('Bad request');
    expect(render(new HttpException('Body is not valid JSON', 400)).body.title).toBe('Bad request');
    expect(render(DomainError.notFound('plan', 'x')).body.title).toBe('Not found');
    expect(render(new ThrottlerException()).body.title).toBe('Too many requests');
    expect(render(new Error('boom')).body.title).toBe('Internal server error');
  });

  it('should include field errors only for validation failures', () => {
    const { body } = render(DomainError.validation([{ field: 'email', message: 'email must be an email' }]));
    expect(body).toMatchObject({
      status: 400,
      code: 'validation_failed',
      errors: [{ field: 'email', message: 'email must be an email' }],
    });
    expect(render(new DomainError('conflict', 'x')).body.errors).toBeUndefined();
  });

  it('should hide the details of unknown errors behind a 500', () => {
    const { status, body } = render(new Error('password=hunter2 at db.internal:5432'));
    expect(status).toBe(500);
    expect(body).toMatchObject({ code: 'internal_error', detail: 'An unexpected error occurred.', requestId: 'req-1' });
    expect(JSON.stringify(body)).not.toContain('hunter2');
  });

  it.each([
    ['P2002', 409, 'conflict'],
    ['P2025', 404, 'not_found'],
    ['P2034', 409, 'conflict'],
    ['P2028', 503, 'service_unavailable'],
    ['P2000', 400, 'validation_failed'],
    ['P2020', 400, 'validation_failed'],
    ['P2010', 500, 'internal_error'],
  ])('should map Prisma %s to %d %s', (code, status, problemCode) => {
    expect(render(prismaError(code)).body).toMatchObject({ status, code: problemCode });
  });

  it('should tell the client to retry after a write conflict or deadlock (P2034), never answer 500 for contention', () => {
    const { status, body } = render(prismaError('P2034'));
    expect(status).toBe(409);
    expect(body.detail).toMatch(/retry/i);
  });

  it('should answer 503 with a retry hint when no transaction could start in time (P2028)', () => {
    const { status, body } = render(prismaError('P2028'));
    expect(status).toBe(503);
    expect(body.detail).toMatch(/retry/i);
  });

  it('should map framework exceptions, a plain 400 (Fastify body parser) alone being malformed_json', () => {
    expect(render(new NotFoundException()).body).toMatchObject({ status: 404, code: 'not_found' });
    expect(render(new BadRequestException('Validation failed (uuid is expected)')).body).toMatchObject({
      status: 400,
      code: 'validation_failed',
      detail: 'Validation failed (uuid is expected)',
    });
    expect(render(new HttpException('Body is not valid JSON', 400)).body).toMatchObject({
      status: 400,
      code: 'malformed_json',
    });
    expect(render(new HttpException('Request body is too large', 413)).body).toMatchObject({
      status: 413,
      code: 'payload_too_large',
    });
    expect(render(new HttpException('Method Not Allowed', 405)).body).toMatchObject({
      status: 405,
      code: 'method_not_allowed',
    });
    expect(render(new ThrottlerException()).body).toMatchObject({ status: 429, code: 'rate_limited' });
  });

  it("should never echo the request in a framework error's detail", () => {
    expect(render(new NotFoundException('Cannot GET /v1/<script>')).body.detail).toBe('No such route.');
    expect(render(new HttpException('Unsupported Media Type: text/<script>', 415)).body.detail).not.toContain('<');
  });

  it('should answer a status nothing of ours raises as 500', () => {
    expect(render(new HttpException("I'm a teapot", 418)).body).toMatchObject({ status: 500, code: 'internal_error' });
  });

  it.each([
    ['a deadlock', '40P01'],
    ['a serialization failure', '40001'],
    ['a unique violation', '23505'],
  ])('should answer %s from pg as 409 conflict', (_case, code) => {
    const { status, body } = render(pgError(code));
    expect(status).toBe(409);
    expect(body.code).toBe('conflict');
  });

  it.each([
    ['a string too long for its varchar', '22001'],
    ['an integer out of its column range', '22003'],
    ['a NUL character in text', '22021'],
    ['a NUL or lone surrogate in JSON', '22P05'],
    ['an index entry too large', '54000'],
    ['a date PostgreSQL cannot read', '22009'],
  ])('should answer %s (pg) as 400 validation_failed, not 500', (_case, code) => {
    expect(render(pgError(code)).body).toMatchObject({ status: 400, code: 'validation_failed' });
    expect(
      render(prismaError('P2039', { driverAdapterError: { cause: { originalCode: code, kind: 'postgres' } } })).body,
    ).toMatchObject({ status: 400, code: 'validation_failed' });
  });

  it('should answer a pool with no free connection in time as 503 service_unavailable', () => {
    const { status, body } = render(new Error('timeout exceeded when trying to connect'));
    expect(status).toBe(503);
    expect(body.code).toBe('service_unavailable');
  });

  it('should build the same document without the filter (toProblemDetails)', () => {
    expect(toProblemDetails(DomainError.unauthorized(), 'r')).toMatchObject({ status: 401, title: 'Unauthorized' });
  });
});
