import { formatMinorUnits, isCurrencyCode, MAX_AMOUNT, minorUnitExponent } from './money';

describe('money', () => {
  it('should cap amounts at 99 999 999 minor units, in both services', () => {
    expect(MAX_AMOUNT).toBe(99_999_999);
  });

  describe('isCurrencyCode', () => {
    it.each(['USD', 'EUR', 'JPY', 'KWD', 'CHF'])('should accept %s', (code) => {
      expect(isCurrencyCode(code)).toBe(true);
    });

    it.each(['ZZZ', 'XYZ', 'usd', 'US', 'USDD', '', 840, null])('should reject %p', (code) => {
      expect(isCurrencyCode(code)).toBe(false);
    });
  });

  describe('minorUnitExponent', () => {
    it.each([
      ['USD', 2],
      ['EUR', 2],
      ['JPY', 0],
      ['KWD', 3],
      ['BHD', 3],
    ])('should give %s %i decimal digits', (currency, exponent) => {
      expect(minorUnitExponent(currency)).toBe(exponent);
    });

    it('should throw a RangeError for an unknown code', () => {
      expect(() => minorUnitExponent('ZZZ')).toThrow(RangeError);
    });
  });

  describe('formatMinorUnits', () => {
    it.each([
      [2900, 'USD', '29.00'],
      [5, 'USD', '0.05'],
      [0, 'USD', '0.00'],
      [-1999, 'EUR', '-19.99'],
      [500, 'JPY', '500'],
      [1234, 'KWD', '1.234'],
      [7, 'KWD', '0.007'],
      [MAX_AMOUNT, 'USD', '999999.99'],
    ])('should show %i %s as %s', (amount, currency, shown) => {
      expect(formatMinorUnits(amount, currency)).toBe(shown);
    });

    it('should refuse a fractional amount', () => {
      expect(() => formatMinorUnits(19.5, 'USD')).toThrow(RangeError);
    });
  });
});
