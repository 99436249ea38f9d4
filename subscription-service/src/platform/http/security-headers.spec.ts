import { recordHelmetHeaders } from './security-headers';

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
