/**
 * The key of an `Authorization: Bearer <key>` header, or undefined. As RFC 6750 §2.1 and RFC 9110 §11.1 have
 * it: the scheme in any case, then one or more spaces, then the token and nothing after it.
 */
export function bearerToken(header: string | undefined): string | undefined {
  return header === undefined ? undefined : /^Bearer +(\S+)$/i.exec(header)?.[1];
}
