// Twin of the other service's src/config/trusted-proxies.ts (scripts/check-mirrors.mjs): both services decide
// alike whose X-Forwarded-For they believe.
import { isIP } from 'node:net';
import { ValidateBy, ValidationOptions } from 'class-validator';

/** Names @fastify/proxy-addr (Fastify's `trustProxy`) accepts for reserved ranges: 127/8 and ::1, 169.254/16 and fe80::/10, 10/8, 172.16/12, 192.168/16 and fc00::/7. */
const NAMED_RANGES: readonly string[] = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * One TRUSTED_PROXIES entry: an IPv4 or IPv6 address, a CIDR range (`10.0.0.0/8`, `fd00::/8`) or one of
 * proxy-addr's range names (`loopback`, `linklocal`, `uniquelocal`).
 */
export function isProxyAddressOrRange(entry: string): boolean {
  if (NAMED_RANGES.includes(entry)) return true;
  const [address, prefix, ...rest] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128);
}

/** The entries of a comma-separated TRUSTED_PROXIES value; an empty value is an empty list (trust no proxy). */
export function parseTrustedProxies(value: string): string[] {
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
}

/** class-validator rule for TRUSTED_PROXIES: a comma-separated list of entries that `isProxyAddressOrRange` accepts, or empty. */
export function IsTrustedProxyList(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isTrustedProxyList',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' && parseTrustedProxies(value).every(isProxyAddressOrRange),
        defaultMessage: () =>
          'TRUSTED_PROXIES must be a comma-separated list of IP addresses or CIDR ranges (e.g. 10.0.0.0/8,::1), ' +
          'or loopback/linklocal/uniquelocal',
      },
    },
    options,
  );
}

/**
 * Fastify's `trustProxy` for the list: the addresses whose X-Forwarded-For (and -Proto, -Host) are believed, so
 * `request.ip` is the first address, from the right, that is not one of them. No entries: `false`, X-Forwarded-For
 * is ignored and `request.ip` is the peer's own address (a client cannot pick the address it is limited by).
 */
export function fastifyTrustProxy(trustedProxies: readonly string[]): string[] | false {
  return trustedProxies.length > 0 ? [...trustedProxies] : false;
}
