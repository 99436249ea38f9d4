import { DURATION_LIST, parseDurationList } from './durations';

describe('parseDurationList', () => {
  it('should parse the default dunning schedule into milliseconds', () => {
    expect(parseDurationList('1d,3d,5d')).toEqual([86_400_000, 259_200_000, 432_000_000]);
  });

  it('should accept every unit and spaces around items', () => {
    expect(parseDurationList(' 500ms, 2s,3m , 1h,1d')).toEqual([500, 2_000, 180_000, 3_600_000, 86_400_000]);
  });

  it.each(['', '1 day', '1d,', '1w', '-1d'])('should reject %p', (text) => {
    expect(DURATION_LIST.test(text)).toBe(false);
    expect(() => parseDurationList(text)).toThrow(RangeError);
  });
});
