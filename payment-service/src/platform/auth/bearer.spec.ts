import { bearerToken } from './bearer';

describe('bearerToken', () => {
  it.each([
    ['Bearer sk_1', 'sk_1'],
    ['bearer sk_1', 'sk_1'],
    ['BEARER  sk_1', 'sk_1'],
  ])('should read %j', (header, key) => {
    expect(bearerToken(header)).toBe(key);
  });

  it.each([undefined, '', 'Bearer', 'Bearer ', 'Basic sk_1', 'Bearer sk_1 extra', 'Bearer\tsk_1', 'Bearersk_1'])(
    'should refuse %j',
    (header) => {
      expect(bearerToken(header)).toBeUndefined();
    },
  );
});
