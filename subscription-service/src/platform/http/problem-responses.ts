import { applyDecorators } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiForbiddenResponse,
  ApiProperty,
  ApiPropertyOptional,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';

class FieldErrorDoc {
  @ApiProperty({ example: 'email' })
  field!: string;

  @ApiProperty({ example: 'email must be an email' })
  message!: string;
}

/** RFC 9457 problem document returned for every error (Content-Type: application/problem+json). */
export class ProblemDoc {
  @ApiProperty({ example: 'https://errors.billing.example/validation_failed' })
  type!: string;

  @ApiProperty({ example: 'Bad request', description: 'The reason phrase of the status, in sentence case.' })
  title!: string;

  @ApiProperty({ example: 400 })
  status!: number;

  @ApiProperty({ example: 'The request is invalid.' })
  detail!: string;

  @ApiProperty({ example: 'validation_failed', description: 'Stable snake_case error code.' })
  code!: string;

  @ApiProperty({ example: '6f1c2b1e-9a43-4c55-8f0e-2d1f0c7b9a10' })
  requestId!: string;

  @ApiPropertyOptional({ type: [FieldErrorDoc], description: 'Only for validation_failed.' })
  errors?: FieldErrorDoc[];
}

/** The error responses every authenticated endpoint can produce. */
export const ProblemResponses = (): ClassDecorator & MethodDecorator =>
  applyDecorators(
    ApiBadRequestResponse({ type: ProblemDoc, description: 'validation_failed / malformed_json' }),
    ApiUnauthorizedResponse({ type: ProblemDoc, description: 'unauthorized: missing or unknown API key' }),
    ApiForbiddenResponse({ type: ProblemDoc, description: 'forbidden: the operation needs an admin key' }),
    ApiTooManyRequestsResponse({ type: ProblemDoc, description: 'rate_limited' }),
  );
