import { redactUrl } from './redact-url';

describe(redactUrl.name, () => {
  it.each([
    ['/v1/plans?api_key=sk_1', '/v1/plans?api_key=[redacted]'],
    ['/v1/plans?apiKey=sk_1&limit=2', '/v1/plans?apiKey=[redacted]&limit=2'],
    ['/v1/plans?limit=2&key=sk_1', '/v1/plans?limit=2&key=[redacted]'],
    [
      '/v1/plans?API-KEY=sk_1&token=t&access_token=a',
      '/v1/plans?API-KEY=[redacted]&token=[redacted]&access_token=[redacted]',
    ],
    ['/v1/plans?api%5Fkey=sk_1', '/v1/plans?api%5Fkey=[redacted]'],
    ['/v1/plans?key', '/v1/plans?key=[redacted]'],
  ])('should redact %s', (url, expected) => expect(redactUrl(url)).toBe(expected));

  it.each(['/v1/plans', '/v1/plans?limit=2&startingAfter=abc', '/v1/plans?keyword=x&monkey=y', '/v1/plans?%E0%A4%A=1'])(
    'should leave %s as it is',
    (url) => expect(redactUrl(url)).toBe(url),
  );
});
