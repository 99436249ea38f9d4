import { recordHelmetHeaders, SECURITY_HEADERS } from './security-headers';

describe(recordHelmetHeaders.name, () => {
  it('should record the headers helmet sets for the options, CSP directives included', () => {
    const headers = recordHelmetHeaders({
      contentSecurityPolicy: { directives: { defaultSrc: ["'self'"], scriptSrc: ["'self'"] } },
    });

    expect(headers['content-security-policy']).toContain("default-src 'self'");
    expect(headers['content-security-policy']).toContain("script-src 'self'");
    expect(headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'SAMEORIGIN',
      'strict-transport-security': expect.stringContaining('max-age='),
    });
    expect(headers['x-powered-by']).toBeUndefined();
  });

  it('should leave out a header that is switched off', () => {
    expect(recordHelmetHeaders({ frameguard: false })['x-frame-options']).toBeUndefined();
  });
});

describe('SECURITY_HEADERS', () => {
  const csp = () => recordHelmetHeaders(SECURITY_HEADERS)['content-security-policy'];
  const directive = (name: string) =>
    csp()
      .split(';')
      .find((entry) => entry.startsWith(`${name} `));

  it("should allow scripts from the service itself only: no 'unsafe-inline', no other origin, no inline handlers", () => {
    expect(directive('script-src')).toBe("script-src 'self'");
    expect(directive('script-src-attr')).toBe("script-src-attr 'none'");
    expect(csp()).not.toContain('https:');
  });
});
