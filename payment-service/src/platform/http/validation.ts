import { ArgumentMetadata, Injectable, PipeTransform, ValidationError, ValidationPipe } from '@nestjs/common';
import { DECORATORS } from '@nestjs/swagger';
import { DomainError, FieldError } from '../errors/domain-error';
import { UNSTORABLE_TEXT_MESSAGE, unstorableTextFields } from './storable-text';

/**
 * The global pipes, in order: `InputRulesPipe` (rules for every input, whatever its DTO says), then class-validator
 * on the DTOs. Unknown fields are rejected, not silently dropped, so client typos surface as 400s.
 */
export function createValidationPipes(): PipeTransform[] {
  return [
    new InputRulesPipe(),
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: (errors) => DomainError.validation(toFieldErrors(errors)),
    }),
  ];
}

/**
 * Two rules for every body, query and path parameter, before class-validator sees them:
 * - no string (value or object key) PostgreSQL text cannot hold: NUL or a lone surrogate (storable-text.ts);
 * - no `null` for a property unless its DTO documents it nullable (`@ApiProperty({ nullable: true })`):
 *   class-validator's `@IsOptional()` lets null through, and a null would reach the database as "clear this".
 * @throws DomainError 400 `validation_failed` naming every refused field.
 */
@Injectable()
export class InputRulesPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'custom') return value;
    const unstorable = new Set(unstorableTextFields(value, metadata.data ?? '').map((field) => field || metadata.type));
    const errors: FieldError[] = [
      ...[...unstorable].map((field) => ({ field, message: `${field} ${UNSTORABLE_TEXT_MESSAGE}` })),
      ...undocumentedNulls(value, metadata.metatype).map((field) => ({
        field,
        message: `${field} must not be null; leave it out instead`,
      })),
    ];
    if (errors.length > 0) throw DomainError.validation(errors);
    return value;
  }
}

/** The top-level properties of `value` that are null although `metatype` does not document them as nullable. */
function undocumentedNulls(value: unknown, metatype: ArgumentMetadata['metatype']): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  const prototype: unknown = metatype?.prototype;
  return Object.entries(value)
    .filter(([, entry]) => entry === null)
    .map(([key]) => key)
    .filter((key) => {
      const documented: unknown =
        typeof prototype === 'object' && prototype !== null
          ? Reflect.getMetadata(DECORATORS.API_MODEL_PROPERTIES, prototype, key)
          : undefined;
      return (documented as { nullable?: boolean } | undefined)?.nullable !== true;
    });
}

function toFieldErrors(errors: ValidationError[], parent?: string): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    return [
      ...Object.values(error.constraints ?? {}).map((message) => ({ field, message })),
      ...toFieldErrors(error.children ?? [], field),
    ];
  });
}
