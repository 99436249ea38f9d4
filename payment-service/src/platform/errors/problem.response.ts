import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse, getSchemaPath } from '@nestjs/swagger';

class FieldErrorResponse {
  @ApiProperty({ example: 'currency' }) field!: string;
  @ApiProperty({ example: 'currency must be an upper-case ISO-4217 code such as USD' }) message!: string;
}

/** RFC 9457 problem document returned by every error. */
export class ProblemResponse {
  @ApiProperty({ example: 'https://errors.billing.example/validation_failed' }) type!: string;
  @ApiProperty({ example: 'Bad request', description: 'The reason phrase of the status, in sentence case.' })
  title!: string;
  @ApiProperty({ example: 400 }) status!: number;
  @ApiProperty({ example: 'The request is invalid; see errors.' }) detail!: string;
  @ApiProperty({ example: 'validation_failed', description: 'Stable snake_case code to branch on.' }) code!: string;
  @ApiProperty({ example: '5f0c6a52-3f1e-4c8b-9a57-1d2e3f4a5b6c' }) requestId!: string;
  @ApiPropertyOptional({ type: [FieldErrorResponse], description: 'Only for validation_failed.' })
  errors?: FieldErrorResponse[];
}

const DESCRIPTIONS: Record<number, string> = {
  400: 'validation_failed (with field errors), malformed_json (the body is not JSON) or bad_request (not valid HTTP)',
  401: 'unauthorized: missing or unknown API key',
  404: 'not_found',
  409: 'idempotency_key_in_use: the first request with this key is still running',
  422: 'idempotency_key_reused: the key was used with another body',
  429: 'rate_limited',
};

/**
 * Documents the problem+json responses an endpoint can return: a status (with its usual codes) or
 * `[status, description]` for an endpoint whose codes differ.
 */
export function ApiProblems(...statuses: (number | readonly [number, string])[]) {
  return applyDecorators(
    ApiExtraModels(ProblemResponse),
    ...statuses
      .map((entry) => (typeof entry === 'number' ? ([entry, DESCRIPTIONS[entry]] as const) : entry))
      .map(([status, description]) =>
        ApiResponse({
          status,
          description,
          content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemResponse) } } },
        }),
      ),
  );
}
