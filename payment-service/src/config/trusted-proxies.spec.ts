import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { fastifyTrustProxy, isProxyAddressOrRange, IsTrustedProxyList, parseTrustedProxies } from './trusted-proxies';

class Env {
  @IsTrustedProxyList()
  TRUSTED_PROXIES = '';
}

const problems = (value: string) => validateSync(plainToInstance(Env, { TRUSTED_PROXIES: value })).length;

describe('TRUSTED_PROXIES', () => {
  describe(isProxyAddressOrRange.name, () => {
    it.each(['127.0.0.1', '10.0.0.0/8', '0.0.0.0/0', '::1', 'fd00::/8', '::ffff:10.1.2.3', 'loopback', 'uniquelocal'])(
      'should accept %s',
      (entry) => expect(isProxyAddressOrRange(entry)).toBe(true),
    );

    it.each(['', 'localhost', '10.0.0.256', '10.0.0.0/33', '::1/129', '10.0.0.0/8/1', '10.0.0.0/', '10.0.0.0/ 8', '*'])(
      'should refuse %p',
      (entry) => expect(isProxyAddressOrRange(entry)).toBe(false),
    );
  });

  describe(parseTrustedProxies.name, () => {
    it('should split on commas, trim and drop empty entries', () => {
      expect(parseTrustedProxies(' 10.0.0.0/8 ,, ::1 ')).toEqual(['10.0.0.0/8', '::1']);
      expect(parseTrustedProxies('')).toEqual([]);
    });
  });

  describe(IsTrustedProxyList.name, () => {
    it('should accept an empty list (trust none) and a list of addresses and ranges', () => {
      expect(problems('')).toBe(0);
      expect(problems('127.0.0.1, 10.0.0.0/8,fd00::/8')).toBe(0);
    });

    it('should refuse a list with one bad entry', () => {
      expect(problems('127.0.0.1,true')).toBe(1);
    });
  });

  describe(fastifyTrustProxy.name, () => {
    it('should trust no proxy for an empty list, and exactly the listed ones otherwise', () => {
      expect(fastifyTrustProxy([])).toBe(false);
      expect(fastifyTrustProxy(['10.0.0.0/8'])).toEqual(['10.0.0.0/8']);
    });
  });
});
