// Secrets a client may put in a URL, kept out of every log line (logger.ts) and every exported span (tracing). No
// imports: src/tracing.ts loads this before anything else.

/** What a secret value is replaced with. */
export const REDACTED = '[redacted]';

/** Query parameters whose value is never logged or traced: a key or token sent in the URL (`?api_key=`, `?apiKey=`, `?key=`…). */
const SECRET_QUERY_PARAMETER = /^(api[-_]?key|key|access[-_]?token|token|secret|password)$/i;

/**
 * `url` with the value of every secret query parameter replaced by `[redacted]`; the path and the other parameters
 * are kept as they were sent. A parameter name is compared percent-decoded (`api%5Fkey` is `api_key`).
 */
export function redactUrl(url: string): string {
  const queryStart = url.indexOf('?');
  if (queryStart === -1) return url;
  const parameters = url
    .slice(queryStart + 1)
    .split('&')
    .map((parameter) => {
      const equals = parameter.indexOf('=');
      const name = equals === -1 ? parameter : parameter.slice(0, equals);
      return SECRET_QUERY_PARAMETER.test(decodeQueryName(name)) ? `${name}=${REDACTED}` : parameter;
    });
  return `${url.slice(0, queryStart + 1)}${parameters.join('&')}`;
}

function decodeQueryName(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    return name;
  }
}
