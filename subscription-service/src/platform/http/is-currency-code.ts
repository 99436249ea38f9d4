import { ValidateBy, ValidationOptions } from 'class-validator';
import { isCurrencyCode } from '../../money/domain/money';

/** An upper-case ISO-4217 currency code known to the runtime (`USD`, `JPY`); `ZZZ` and `usd` fail. */
export function IsCurrencyCode(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isCurrencyCode',
      validator: {
        validate: (value: unknown) => isCurrencyCode(value),
        defaultMessage: (args) =>
          `${args?.property ?? 'currency'} must be an ISO-4217 currency code in upper case, such as USD, EUR or JPY`,
      },
    },
    options,
  );
}
