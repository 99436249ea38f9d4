import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isValueRejectedByColumn } from '../database/database-errors';
import { PROBLEM_CONTENT_TYPE, toProblemDetails } from './problem-details';

/** The single place where errors thrown while serving a request become HTTP responses (RFC 9457, see toProblemDetails). */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger(ProblemDetailsFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const problem = toProblemDetails(exception, String(request.id));

    if (problem.status >= 500) {
      this.logger.error({ err: exception }, 'unhandled error');
    } else if (isValueRejectedByColumn(exception)) {
      // A 400, but validation should have refused the value before the database did.
      this.logger.warn({ err: exception }, 'value refused by the database');
    }
    void reply.status(problem.status).header('content-type', PROBLEM_CONTENT_TYPE).send(problem);
  }
}
