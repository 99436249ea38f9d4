import { ValidateBy, ValidationOptions } from 'class-validator';

interface StringMapLimits {
  maxEntries: number;
  maxKeyLength: number;
  maxValueLength: number;
}

/** A flat object of string values, e.g. `metadata`. */
export function IsStringMap(limits: StringMapLimits, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isStringMap',
      validator: {
        validate: (value: unknown) =>
          value !== null &&
          typeof value === 'object' &&
          !Array.isArray(value) &&
          Object.keys(value).length <= limits.maxEntries &&
          Object.entries(value).every(
            ([key, entry]) =>
              key.length >= 1 &&
              key.length <= limits.maxKeyLength &&
              typeof entry === 'string' &&
              entry.length <= limits.maxValueLength,
          ),
        defaultMessage: (args) =>
          `${args?.property ?? 'value'} must be an object of at most ${limits.maxEntries} string values ` +
          `(keys 1-${limits.maxKeyLength} characters, values at most ${limits.maxValueLength})`,
      },
    },
    options,
  );
}
