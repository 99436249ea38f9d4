import { parseRfc3339DateTime } from './rfc3339';

describe(parseRfc3339DateTime.name, () => {
  it.each([
    ['2026-11-27T10:00:00Z', '2026-11-27T10:00:00.000Z'],
    ['2026-11-27T10:00:00.5+01:00', '2026-11-27T09:00:00.500Z'],
    ['2026-11-27t10:00:00z', '2026-11-27T10:00:00.000Z'],
    ['2028-02-29T00:00:00-23:59', '2028-02-29T23:59:00.000Z'],
    ['0000-01-01T00:00:00Z', '0000-01-01T00:00:00.000Z'],
  ])('should parse the RFC 3339 date-time %s', (value, iso) => {
    expect(parseRfc3339DateTime(value)?.toISOString()).toBe(iso);
  });

  it.each([
    ['a week date', '2026-W05'],
    ['an ordinal date', '2026-123'],
    ['the basic format', '20261127T000000Z'],
    ['a decimal comma', '2026-11-27T10:00:00,5Z'],
    ['a date without a time', '2026-11-27'],
    ['a time without an offset', '2026-11-27T10:00:00'],
    ['30 February', '2026-02-30T00:00:00Z'],
    ['29 February of a common year', '2027-02-29T00:00:00Z'],
    ['hour 24', '2026-11-27T24:00:00Z'],
    ['a leap second', '2026-12-31T23:59:60Z'],
    ['an offset of 24 hours', '2026-11-27T10:00:00+24:00'],
    ['trailing text', '2026-11-27T10:00:00Zjunk'],
    ['an instant in year 10000 UTC', '9999-12-31T23:59:59-23:59'],
    ['an instant before year 0000 UTC', '0000-01-01T00:00:00+00:01'],
  ])('should refuse %s (%s)', (_label, value) => {
    expect(parseRfc3339DateTime(value)).toBeNull();
  });
});
