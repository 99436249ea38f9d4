import { ValidateBy, ValidationOptions } from 'class-validator';

/**
 * RFC 3339 §5.6 `date-time`: full-date "T" full-time, with seconds and a time offset ("Z" or ±hh:mm), e.g.
 * `2026-11-27T10:00:00Z` or `2026-11-27T10:00:00.5+01:00` ("T" and "Z" may be lower case, RFC 3339 §5.6 note).
 * ISO 8601 allows more (week dates `2026-W05`, ordinal dates `2026-123`, the basic format `20261127T000000Z`, a
 * decimal comma `10:00:00,5`) that JavaScript's Date cannot parse, so those are refused.
 */
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:[Zz]|[+-](\d{2}):(\d{2}))$/;

/** Days of a month (1-12) in the proleptic Gregorian calendar RFC 3339 uses (its Appendix C leap-year rule). */
function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * The instant of an RFC 3339 date-time (see DATE_TIME), or null when `value` is not one or names no real instant
 * (30 February, hour 24, a leap second: JavaScript's Date cannot represent `:60`, and it would roll 30 February
 * over into March), or whose instant in UTC falls outside the years 0000-9999.
 */
export function parseRfc3339DateTime(value: string): Date | null {
  const match = DATE_TIME.exec(value);
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number);
  const [offsetHour, offsetMinute] = [Number(match[7] ?? 0), Number(match[8] ?? 0)];
  const valid =
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    offsetHour <= 23 &&
    offsetMinute <= 59;
  if (!valid) return null;
  const instant = new Date(value.toUpperCase());
  // An offset can move the instant out of the four-digit years (9999-12-31T23:59:59-23:59 is in year 10000 UTC),
  // where neither RFC 3339 nor PostgreSQL's timestamp input can write it.
  const utcYear = instant.getUTCFullYear();
  return Number.isNaN(instant.getTime()) || utcYear < 0 || utcYear > 9999 ? null : instant;
}

/** Validates that a property is an RFC 3339 date-time JavaScript can parse (see `parseRfc3339DateTime`). */
export function IsRfc3339DateTime(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isRfc3339DateTime',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && parseRfc3339DateTime(value) !== null,
        defaultMessage: (args) =>
          `${args?.property ?? 'value'} must be an RFC 3339 date-time such as 2026-11-27T10:00:00Z`,
      },
    },
    options,
  );
}
