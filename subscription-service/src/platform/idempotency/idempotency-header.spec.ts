import { readIdempotencyKey } from './idempotency-header';

describe('readIdempotencyKey', () => {
  it('should return a key of 1 to 255 characters as is', () => {
    expect(readIdempotencyKey('k')).toBe('k');
    expect(readIdempotencyKey('x'.repeat(255))).toBe('x'.repeat(255));
  });

  it('should return undefined when there is no header', () => {
    expect(readIdempotencyKey(undefined)).toBeUndefined();
  });

  it.each([
    ['empty', ''],
    ['longer than 255 characters', 'x'.repeat(256)],
    ['repeated', ['a', 'b']],
  ])('should refuse a key that is %s', (_label, header) => {
    expect(readIdempotencyKey(header)).toBeNull();
  });
});
