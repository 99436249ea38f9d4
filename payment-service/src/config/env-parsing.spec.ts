import { toBoolean, toNumber } from './env-parsing';

describe('environment string parsing', () => {
  it.each([
    ['true', true],
    ['TRUE', true],
    ['false', false],
    ['False', false],
  ])('should read %s as a boolean', (value, expected) => {
    expect(toBoolean({ value })).toBe(expected);
  });

  it.each(['ture', '1', '0', 'yes', 'no', 'on', ''])('should leave %j as is so validation refuses it', (value) => {
    expect(toBoolean({ value })).toBe(value);
  });

  it('should read numbers and treat an empty value as unset', () => {
    expect(toNumber({ value: '8080' })).toBe(8080);
    expect(toNumber({ value: '' })).toBeUndefined();
    expect(toNumber({ value: undefined })).toBeUndefined();
    expect(toNumber({ value: 'eighty' })).toBeNaN();
  });
});
