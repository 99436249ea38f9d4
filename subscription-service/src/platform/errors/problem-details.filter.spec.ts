import { ArgumentsHost, BadRequestException, HttpException, Logger, NotFoundException } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import { DatabaseError } from 'pg';
import { Prisma } from '../../generated/prisma/client';
import { DomainError } from './domain-error';
import { ProblemDetails, ProblemDetailsFilter } from './problem-details.filter';

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

const prismaError = (code: string) =>
  new Prisma.PrismaClientKnownRequestError('db says no', { code, clientVersion: '7' });
const pgError = (code: string) => Object.assign(new DatabaseError('db says no', 0, 'error'), { code });

describe(ProblemDetailsFilter.name, () => {
  beforeAll(() => jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined));
  afterAll(() => jest.restoreAllMocks());

  it('should render a domain error as problem+json with its code, type and the request id', () => {
    const { status, contentType, body } = render(new DomainError('subscription_exists', 'Already subscribed.'));
    expect(status).toBe(409);
    expect(contentType).toContain('application/problem+json');
    expect(body).toEqual({
      type: 'https://errors.billing.example/subscription_exists',
      title: 'User already has a live subscription',
      status: 409,
      detail: 'Already subscribed.',
      code: 'subscription_exists',
      requestId: 'req-1',
    });
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

  it('should map framework exceptions', () => {
    expect(render(new NotFoundException()).body).toMatchObject({ status: 404, code: 'not_found' });
    expect(render(new BadRequestException('Validation failed (uuid is expected)')).body).toMatchObject({
      status: 400,
      code: 'validation_failed',
    });
    expect(render(new HttpException('Body is not valid JSON', 400)).body).toMatchObject({
      status: 400,
      code: 'malformed_json',
    });
    expect(render(new HttpException('Request body is too large', 413)).body).toMatchObject({
      status: 413,
      code: 'payload_too_large',
    });
    expect(render(new ThrottlerException()).body).toMatchObject({ status: 429, code: 'rate_limited' });
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

  it('should answer a pool with no free connection in time as 503 service_unavailable', () => {
    const { status, body } = render(new Error('timeout exceeded when trying to connect'));
    expect(status).toBe(503);
    expect(body.code).toBe('service_unavailable');
  });
});
