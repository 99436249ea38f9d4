// A minimal HTTP/1.1 client over a plain TCP socket, so a test can send exactly the bytes it means to: header values
// with control or non-ASCII bytes, invalid UTF-8 bodies, a path with a literal %00. fetch (undici) and node:http
// refuse to send most of those, which is why this exists. One request per connection (Connection: close).
import { connect } from 'node:net';

/**
 * Sends one request and resolves with `{ status, headers, body }` (`headers` lower-cased, repeated ones joined with
 * ", "; `body` a Buffer), or `{ status: 0, error }` when the server closed without an answer or did not answer in time.
 *
 * @param baseUrl  `http://host:port` of the service.
 * @param request  `{ method, path, headers: [[name, value], …], body }`. `path` is sent as is (encode it yourself);
 *                 header values and the body may be strings (sent as UTF-8) or Buffers (sent byte for byte);
 *                 `content-length` is added for a body unless `headers` already carry one.
 */
export function rawRequest(baseUrl, { method, path, headers = [], body }, { timeoutMs = 30_000 } = {}) {
  const { hostname, port } = new URL(baseUrl);
  const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  const lines = [Buffer.from(`${method} ${path} HTTP/1.1\r\nhost: ${hostname}:${port}\r\nconnection: close\r\n`)];
  for (const [name, value] of headers) {
    lines.push(
      Buffer.from(`${name}: `),
      Buffer.isBuffer(value) ? value : Buffer.from(String(value)),
      Buffer.from('\r\n'),
    );
  }
  if (payload && !headers.some(([name]) => name.toLowerCase() === 'content-length')) {
    lines.push(Buffer.from(`content-length: ${payload.length}\r\n`));
  }
  lines.push(Buffer.from('\r\n'));
  if (payload) lines.push(payload);

  return new Promise((resolve) => {
    const chunks = [];
    const socket = connect({ host: hostname, port: Number(port) });
    let settled = false;
    const finish = (result) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => finish({ status: 0, error: `no answer within ${timeoutMs} ms` }));
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', (error) => {
      // The server may answer and close before reading the whole request (e.g. 413): keep what it said.
      const parsed = chunks.length > 0 ? parseResponse(Buffer.concat(chunks)) : undefined;
      finish(parsed ?? { status: 0, error: error.code ?? error.message });
    });
    socket.on('end', () => {
      finish(parseResponse(Buffer.concat(chunks)) ?? { status: 0, error: 'connection closed without an answer' });
    });
    // Not end(): a half-closed connection makes Node's HTTP server abort the request it is still handling.
    socket.write(Buffer.concat(lines));
  });
}

function parseResponse(raw) {
  const headEnd = raw.indexOf('\r\n\r\n');
  if (headEnd < 0) return undefined;
  const [statusLine, ...headerLines] = raw.subarray(0, headEnd).toString('latin1').split('\r\n');
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
  if (!match) return undefined;
  const headers = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  let body = raw.subarray(headEnd + 4);
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) body = dechunk(body);
  return { status: Number(match[1]), headers, body };
}

function dechunk(data) {
  const parts = [];
  let offset = 0;
  while (offset < data.length) {
    const lineEnd = data.indexOf('\r\n', offset);
    if (lineEnd < 0) break;
    const size = parseInt(data.subarray(offset, lineEnd).toString('latin1'), 16);
    if (!size) break;
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}
