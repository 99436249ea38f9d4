// The operations a running service documents in its OpenAPI document (GET /docs-json).

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/**
 * Fetches `${baseUrl}/docs-json` and lists its operations as
 * `{ service, key: "METHOD /path", method, path, summary, secured, pathParams, queryParams, headerParams,
 *    body: { schema, required } | undefined }`, `$ref`s resolved. `secured` is false for an operation the document
 * marks as needing no API key (health checks; the webhook, authenticated by its signature).
 */
export async function loadOperations(service, baseUrl) {
  const res = await fetch(`${baseUrl}/docs-json`);
  if (res.status !== 200) throw new Error(`${service}: GET /docs-json answered ${res.status}`);
  const document = await res.json();
  const resolve = (node, depth = 0) => {
    if (depth > 20 || node === null || typeof node !== 'object') return node;
    if (Array.isArray(node)) return node.map((item) => resolve(item, depth + 1));
    if (typeof node.$ref === 'string') {
      const target = node.$ref
        .replace(/^#\//, '')
        .split('/')
        .reduce((at, part) => at?.[part], document);
      return resolve(target, depth + 1);
    }
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, resolve(v, depth + 1)]));
  };

  const operations = [];
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const parameters = resolve([...(item.parameters ?? []), ...(op.parameters ?? [])]);
      const body = op.requestBody ? resolve(op.requestBody) : undefined;
      const security = op.security ?? document.security ?? [];
      operations.push({
        service,
        key: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        summary: op.summary ?? '',
        secured: security.length > 0,
        pathParams: parameters.filter((p) => p.in === 'path'),
        queryParams: parameters.filter((p) => p.in === 'query'),
        headerParams: parameters.filter((p) => p.in === 'header'),
        body: body
          ? { schema: body.content?.['application/json']?.schema ?? {}, required: body.required === true }
          : undefined,
      });
    }
  }
  return operations;
}

/** `path` with each `{name}` replaced by `values[name]` (sent as given: encode it first when it needs encoding). */
export function fillPath(path, values) {
  return path.replace(/\{(\w+)\}/g, (_, name) => {
    if (!(name in values)) throw new Error(`no value for {${name}} in ${path}`);
    return values[name];
  });
}
