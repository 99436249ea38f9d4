// Hostile requests generated from the services' OpenAPI documents: for every operation, a valid request (built from
// the document and the test's fixtures) spoiled in one place at a time — one body field, the whole body, one path or
// query parameter, one header. Everything random comes from the seeded generator, so a seed names one exact run.

const KB = 1024;

/** A JSON fragment sent verbatim (numbers JSON.stringify cannot write, deep nesting, duplicate keys, `__proto__`). */
class Raw {
  constructor(text) {
    this.text = text;
  }
}
const raw = (text) => new Raw(text);

/** Marks a path or query value already percent-encoded as it should travel (`%00`, `%ZZ`, `%ED%A0%80`). */
class Encoded {
  constructor(text) {
    this.text = text;
  }
}
const encoded = (text) => new Encoded(text);

/** Serializes a body in which some values are Raw fragments. */
export function serializeJson(value) {
  const fragments = [];
  const text = JSON.stringify(value, (_, v) => {
    if (v instanceof Raw) {
      fragments.push(v.text);
      return `@@RAW${fragments.length - 1}@@`;
    }
    return v;
  });
  return text === undefined
    ? ''
    : text.replace(/"@@RAW(\d+)@@"/g, (_, i) => fragments[Number(i)].replace(/\$/g, '$$$$'));
}

/** Percent-encodes the UTF-8 bytes of a value for a path segment or a query value (lone surrogates become U+FFFD). */
export function encodeComponent(value) {
  if (value instanceof Encoded) return value.text;
  return [...Buffer.from(String(value), 'utf8')]
    .map((b) =>
      (b >= 0x30 && b <= 0x39) ||
      (b >= 0x41 && b <= 0x5a) ||
      (b >= 0x61 && b <= 0x7a) ||
      '-_.~'.includes(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');
}

// ---- the catalogue ----------------------------------------------------------------------------------------------

/** Values any JSON field may receive: [kind, label, value]. */
const FIELD_VALUES = [
  ['null', 'null', null],
  ['wrong-type', 'a number', 42],
  ['wrong-type', 'a string', 'hostile'],
  ['wrong-type', 'a boolean', false],
  ['wrong-type', 'an array', ['x', 1]],
  ['wrong-type', 'an object', { a: 1 }],
  ['wrong-type', 'an empty string', ''],
  ['boundary-number', '0', 0],
  ['boundary-number', '-1', -1],
  ['boundary-number', '2^31', 2 ** 31],
  ['boundary-number', '2^53', 2 ** 53],
  ['boundary-number', '1e300', 1e300],
  ['boundary-number', '0.5', 0.5],
  ['boundary-number', '1e400 (Infinity once parsed)', raw('1e400')],
  ['boundary-number', '2^64 literal', raw('18446744073709551616')],
  ['nan-string', '"NaN"', 'NaN'],
  ['nan-string', '"Infinity"', 'Infinity'],
  ['nan-string', '"1e309"', '1e309'],
  ['nan-string', '"0x1F"', '0x1F'],
  ['huge-string', '100 KB', 'a'.repeat(100 * KB)],
  ['huge-string', '100 KB of 4-byte characters', '😀'.repeat(25 * KB)],
  ['control-chars', 'NUL inside', 'a\u0000b'],
  ['control-chars', 'C0 controls and DEL', '\u0001\u0007\u001b[31m\u007f'],
  ['control-chars', 'CR LF', 'a\r\nSet-Cookie: injected=1'],
  ['lone-surrogate', 'a lone high surrogate', '\ud800'],
  ['lone-surrogate', 'a lone low surrogate inside text', 'a\udc00b'],
  ['unicode', 'RTL override, zero-width, combining, BOM', '\u202e\u200b\u0301x\ufeff'],
  ['deep-nesting', '5,000 nested arrays', raw('['.repeat(5000) + ']'.repeat(5000))],
  ['deep-nesting', '5,000 nested objects', raw('{"a":'.repeat(5000) + '1' + '}'.repeat(5000))],
  ['prototype', 'an object with __proto__', raw('{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}')],
];

const MALFORMED_DATES = [
  '2026-W05',
  '2026-123',
  '20261127T000000Z',
  '2026-11-27T10:00:00,5Z',
  '2026-02-30T00:00:00Z',
  '2026-11-27T24:00:01Z',
  '2026-11-27T10:00:00+25:00',
  '2026-11-27',
  '+275760-09-13T00:00:00.001Z',
  '0000-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999999999Z',
  '1970-01-01T00:00:00Z',
];

/** Bad ids for a field or parameter holding an id; `ids.other` is an existing id of another kind of resource. */
function badIds(random, ids) {
  return [
    ['bad-id', 'not a uuid', 'not-a-uuid'],
    ['bad-id', '10 KB', 'a'.repeat(10 * KB)],
    ['bad-id', 'unknown uuid', random.uuid()],
    ['bad-id', 'nil uuid', '00000000-0000-0000-0000-000000000000'],
    ['bad-id', 'max uuid', 'ffffffff-ffff-ffff-ffff-ffffffffffff'],
    ['bad-id', 'upper-case existing id', ids.valid?.toUpperCase() ?? random.uuid().toUpperCase()],
    ['bad-id', 'existing id in braces', `{${ids.valid ?? random.uuid()}}`],
    ['bad-id', 'existing id with trailing space', `${ids.valid ?? random.uuid()} `],
    ['bad-id', 'another resource’s id', ids.other ?? random.uuid()],
    ['bad-id', 'SQL', "' OR '1'='1' --"],
    ['bad-id', '-1', '-1'],
    ['bad-id', '30 digits', '9'.repeat(30)],
  ];
}

/** Bad path segments, sent percent-encoded as given. */
function badPathSegments(random, ids) {
  return [
    ...badIds(random, ids).map(([kind, label, value]) => [kind, label, encoded(encodeComponent(value))]),
    ['bad-id', '%00', encoded('%00')],
    ['bad-id', '%2F', encoded('a%2Fb')],
    ['bad-id', '..', encoded('..')],
    ['bad-id', '%2e%2e', encoded('%2e%2e')],
    ['bad-id', 'invalid percent-encoding %ZZ', encoded('%ZZ')],
    ['bad-id', 'invalid UTF-8 %FF', encoded('%FF%FE')],
    ['bad-id', 'encoded lone surrogate %ED%A0%80', encoded('%ED%A0%80')],
    ['bad-id', 'overlong %C0%AF', encoded('%C0%AF')],
    ['bad-id', 'emoji', encoded('%F0%9F%98%80')],
    ['bad-id', '__proto__', encoded('__proto__')],
    ['bad-id', 'constructor', encoded('constructor')],
  ];
}

/** Values for one query parameter, as the string that travels (without the name). */
function badQueryValues(random, ids) {
  return [
    ['wrong-type', 'empty', ''],
    ['wrong-type', '"abc"', 'abc'],
    ['boundary-number', '0', '0'],
    ['boundary-number', '-1', '-1'],
    ['boundary-number', '2^31', '2147483648'],
    ['boundary-number', '2^53+1', '9007199254740993'],
    ['boundary-number', '1e300', '1e300'],
    ['nan-string', 'NaN', 'NaN'],
    ['nan-string', '0x10', '0x10'],
    ['huge-string', '10 KB', 'q'.repeat(10 * KB)],
    ['control-chars', '%00', encoded('%00')],
    ['control-chars', '%01%1B%7F', encoded('%01%1B%7F')],
    ['lone-surrogate', '%ED%A0%80', encoded('%ED%A0%80')],
    ['unicode', 'invalid UTF-8 %FF', encoded('%FF')],
    ['unicode', 'invalid percent-encoding %ZZ', encoded('%ZZ')],
    ['unicode', 'emoji and RTL override', '😀\u202e'],
    ['bad-id', 'unknown uuid', random.uuid()],
    ['bad-id', 'another resource’s id', ids.other ?? random.uuid()],
  ];
}

const BAD_CURSORS = (random, ids) => [
  ['bad-cursor', 'unknown uuid', random.uuid()],
  ['bad-cursor', 'another resource’s id', ids.other ?? random.uuid()],
  ['bad-cursor', 'not a uuid', 'not-a-cursor'],
  ['bad-cursor', 'base64 JSON', Buffer.from('{"id":1,"createdAt":"x"}').toString('base64')],
  ['bad-cursor', 'nil uuid', '00000000-0000-0000-0000-000000000000'],
  ['bad-cursor', '10 KB', 'c'.repeat(10 * KB)],
];

// ---- schema helpers ---------------------------------------------------------------------------------------------

const isIdLike = (name, schema) => schema?.format === 'uuid' || /(^id$|Id$)/.test(name ?? '');
const isDateLike = (name, schema) =>
  schema?.format === 'date-time' || /^(since|to|until|from|createdAt)$/.test(name ?? '');

/** Values only some fields get, from the field's schema. */
function typedFieldValues(name, schema, random, ids) {
  const values = [];
  if (isIdLike(name, schema)) values.push(...badIds(random, ids));
  if (isDateLike(name, schema)) values.push(...MALFORMED_DATES.map((d) => ['malformed-date', d, d]));
  if (schema?.type === 'number' || schema?.type === 'integer') {
    if (schema.minimum !== undefined) values.push(['boundary-number', 'minimum - 1', schema.minimum - 1]);
    if (schema.maximum !== undefined) values.push(['boundary-number', 'maximum + 1', schema.maximum + 1]);
    values.push(['wrong-type', 'a numeric string', String(schema.example ?? 1)]);
    values.push(['boundary-number', '1.5', 1.5]);
  }
  if (schema?.enum) {
    const first = String(schema.enum[0]);
    values.push(['bad-enum', 'upper-case', first.toUpperCase()], ['bad-enum', 'padded', ` ${first} `]);
    values.push(['bad-enum', 'with NUL', `${first}\u0000`]);
  }
  if (schema?.maxLength !== undefined) values.push(['too-long', `maxLength + 1`, 'x'.repeat(schema.maxLength + 1)]);
  if (schema?.pattern) values.push(['bad-pattern', 'lower case', String(schema.example ?? 'abc').toLowerCase()]);
  if (schema?.type === 'boolean') values.push(['wrong-type', '"true"', 'true'], ['wrong-type', '1', 1]);
  if (schema?.type === 'object' || schema?.additionalProperties) {
    const many = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v']));
    values.push(
      ['bad-map', '21 keys', many],
      ['bad-map', 'a nested object value', { a: { b: 'c' } }],
      ['bad-map', 'a number value', { a: 1 }],
      ['bad-map', 'a key with NUL', { 'a\u0000b': 'v' }],
      ['bad-map', 'a 10 KB key', { ['k'.repeat(10 * KB)]: 'v' }],
      ['prototype', '__proto__ key', raw('{"__proto__":"x"}')],
    );
  }
  if (name === 'email') {
    values.push(
      ['bad-email', 'no @', 'not-an-email'],
      ['bad-email', 'over 254 characters', `${'x'.repeat(250)}@example.com`],
      ['bad-email', 'NUL inside', 'a\u0000b@example.com'],
      ['bad-email', 'unicode local part', 'ü😀@example.com'],
    );
  }
  return values;
}

/** A valid value for a schema (examples first), with the test's fixture values winning. */
function exampleOf(schema, name, override) {
  const chosen = override(name);
  if (chosen !== undefined) return chosen;
  if (!schema) return 'hostile';
  if (schema.example !== undefined) return schema.example;
  if (schema.default !== undefined) return schema.default;
  if (schema.enum) return schema.enum[0];
  if (schema.format === 'date-time') return new Date().toISOString();
  switch (schema.type) {
    case 'number':
    case 'integer':
      return schema.minimum ?? 1;
    case 'boolean':
      return true;
    case 'array':
      return [];
    case 'object':
      return Object.fromEntries(
        (schema.required ?? []).map((prop) => [prop, exampleOf(schema.properties?.[prop], prop, override)]),
      );
    default:
      return 'hostile';
  }
}

/** Leaf paths of a value (objects only), at most `depth` levels deep, with the schema of each when known. */
function fieldPaths(value, schema, depth, prefix = []) {
  const paths = [];
  const names = new Set([...Object.keys(schema?.properties ?? {}), ...Object.keys(value ?? {})]);
  for (const name of names) {
    const path = [...prefix, name];
    const sub = schema?.properties?.[name];
    paths.push({ path, name, schema: sub, required: (schema?.required ?? []).includes(name) });
    const child = value?.[name];
    if (depth > 1 && child && typeof child === 'object' && !Array.isArray(child)) {
      paths.push(...fieldPaths(child, sub, depth - 1, path));
    }
  }
  return paths;
}

function withValue(body, path, value) {
  const copy = structuredClone(body);
  let at = copy;
  for (const part of path.slice(0, -1)) {
    if (!at[part] || typeof at[part] !== 'object') at[part] = {};
    at = at[part];
  }
  if (value === MISSING) delete at[path.at(-1)];
  else at[path.at(-1)] = value;
  return copy;
}
const MISSING = Symbol('missing');

// ---- the generator ----------------------------------------------------------------------------------------------

/**
 * Every hostile case for `operations` (loadOperations of both services). `fixtures` supplies what only the running
 * system knows:
 *   credentialsFor(op) → credential names allowed to call op ('admin' | 'userA' | 'paymentKey' | 'webhook' | 'none')
 *   pathValue(op, name) → a valid value of a path parameter;   otherId(op, name) → an existing id of another kind
 *   bodyOverride(op, name, credential) → a fixture value for a body field, or undefined
 *   queryValue(op, name) → a valid query value for a required parameter
 * A case: `{ service, op: "METHOD /path", kind, label, credential, method, path, headers: [[name, value]], body,
 * webhook? }` where `body` is a string or Buffer and `webhook` asks the sender to sign it (`{ id, timestamp?,
 * signature? }`: a given timestamp or signature replaces the valid one).
 */
export function generateCases(operations, fixtures, random) {
  const cases = [];
  for (const op of operations) {
    const credentials = fixtures.credentialsFor(op);
    const credential = () => random.pick(credentials);
    const isWebhook = credentials.includes('webhook');
    const pathValues = Object.fromEntries(op.pathParams.map((p) => [p.name, fixtures.pathValue(op, p.name)]));
    const baseQuery = op.queryParams
      .filter((p) => p.required)
      .map((p) => [p.name, fixtures.queryValue(op, p.name) ?? exampleOf(p.schema, p.name, () => undefined)]);

    const add = (kind, label, parts) => {
      const who = parts.credential ?? credential();
      const path = parts.path ?? fillPath(op.path, pathValues);
      const query = parts.query ?? baseQuery.map(([k, v]) => `${k}=${encodeComponent(v)}`).join('&');
      const headers = [...(parts.headers ?? [])];
      const c = {
        service: op.service,
        op: op.key,
        kind,
        label,
        credential: who,
        method: parts.method ?? op.method,
        path: query ? `${path}?${query}` : path,
        headers,
        body: parts.body,
      };
      if (isWebhook && !parts.unsigned) c.webhook = { id: parts.webhookId ?? random.uuid(), ...parts.webhook };
      cases.push(c);
    };

    // The valid body for the credential this case will use.
    const bodyFor = (who) =>
      op.body ? exampleOf(op.body.schema, undefined, (name) => fixtures.bodyOverride(op, name, who)) : undefined;
    const jsonHeaders = [['content-type', 'application/json']];

    // 1. One body field at a time.
    if (op.body) {
      const sample = bodyFor(credentials[0]);
      const depth = isWebhook ? 3 : 2;
      for (const field of fieldPaths(sample, op.body.schema, depth)) {
        const ids = { valid: typeof sample?.[field.name] === 'string' ? sample[field.name] : undefined };
        ids.other = fixtures.otherId(op, field.name);
        let values = [...FIELD_VALUES, ...typedFieldValues(field.name, field.schema, random, ids)];
        // Nested fields of the webhook's payment object get a sample of the catalogue, to keep the run bounded.
        if (field.path.length > 2) values = random.shuffle(values).slice(0, 6);
        for (const [kind, label, value] of values) {
          const who = credential();
          add(kind, `${field.path.join('.')}: ${label}`, {
            credential: who,
            headers: jsonHeaders,
            body: serializeJson(withValue(bodyFor(who), field.path, value)),
          });
        }
        if (field.required) {
          const who = credential();
          add('missing-field', `${field.path.join('.')} missing`, {
            credential: who,
            headers: jsonHeaders,
            body: serializeJson(withValue(bodyFor(who), field.path, MISSING)),
          });
        }
      }
    }

    // 2. The whole body.
    if (op.method !== 'GET') {
      for (const [kind, label, parts] of wholeBodies(random, () => bodyFor(credentials[0]))) {
        add(kind, label, parts);
      }
    } else {
      add('body-on-get', 'a JSON body on a GET', { headers: jsonHeaders, body: '{"limit":1}' });
    }

    // 3. Path parameters.
    for (const param of op.pathParams) {
      const ids = { valid: pathValues[param.name], other: fixtures.otherId(op, param.name) };
      for (const [kind, label, value] of badPathSegments(random, ids)) {
        const who = credential();
        add(kind, `{${param.name}}: ${label}`, {
          credential: who,
          path: fillPath(op.path, { ...pathValues, [param.name]: encodeComponent(value) }),
          ...(op.body ? { headers: jsonHeaders, body: serializeJson(bodyFor(who)) } : {}),
        });
      }
    }

    // 4. Query parameters, one at a time, plus the shapes a query string can take.
    const bodyParts = () => (op.body ? { headers: jsonHeaders, body: serializeJson(bodyFor(credentials[0])) } : {});
    const others = (name) => baseQuery.filter(([k]) => k !== name).map(([k, v]) => `${k}=${encodeComponent(v)}`);
    for (const param of op.queryParams) {
      const ids = { valid: fixtures.queryValue(op, param.name), other: fixtures.otherId(op, param.name) };
      const values = [
        ...badQueryValues(random, ids),
        ...(param.name === 'startingAfter' ? BAD_CURSORS(random, ids) : []),
        ...(isDateLike(param.name, param.schema) ? MALFORMED_DATES.map((d) => ['malformed-date', d, d]) : []),
        ...(param.schema?.enum ? typedFieldValues(param.name, { enum: param.schema.enum }, random, ids) : []),
      ];
      for (const [kind, label, value] of values) {
        add(kind, `?${param.name}=${label}`, {
          query: [...others(param.name), `${param.name}=${encodeComponent(value)}`].join('&'),
          ...bodyParts(),
        });
      }
      const shapes = [
        ['query-shape', 'repeated', `${param.name}=a&${param.name}=b`],
        ['query-shape', 'brackets', `${param.name}[]=a`],
        ['query-shape', 'nested', `${param.name}[a][b]=c`],
        ['query-shape', 'no value', param.name],
      ];
      for (const [kind, label, text] of shapes) {
        add(kind, `?${param.name}: ${label}`, { query: [...others(param.name), text].join('&'), ...bodyParts() });
      }
    }
    add('query-shape', 'unknown parameter', { query: 'hostile=1&__proto__[polluted]=1', ...bodyParts() });
    add('query-shape', '10 KB query string', { query: `x=${'y'.repeat(10 * KB)}`, ...bodyParts() });

    // 5. Headers.
    for (const [kind, label, headers] of badHeaders(random, op)) add(kind, label, { headers, ...bodyParts() });
    if (isWebhook) {
      for (const [label, parts] of badWebhookHeaders()) {
        add('webhook-header', label, { headers: jsonHeaders, body: serializeJson(bodyFor('webhook')), ...parts });
      }
    }
  }
  return cases;
}

function fillPath(path, values) {
  return path.replace(/\{(\w+)\}/g, (_, name) => values[name]);
}

/** Whole-body cases: [kind, label, { headers, body }]. */
function wholeBodies(random, base) {
  const json = [['content-type', 'application/json']];
  const valid = serializeJson(base() ?? {});
  const first = Object.keys(base() ?? {})[0] ?? 'a';
  const cases = [
    ...['{', '{"a":1,}', "{'a':1}", `${valid}garbage`, '', '{"a":1}{"b":2}'].map((body) => [
      'malformed-json',
      JSON.stringify(body).slice(0, 30),
      { headers: json, body },
    ]),
    ['malformed-json', 'invalid escape \\x41', { headers: json, body: '{"a":"\\x41"}' }],
    ['malformed-json', 'NaN literal', { headers: json, body: '{"a":NaN}' }],
    ['malformed-json', 'a NUL byte', { headers: json, body: '\u0000' }],
    ['json-root', 'an empty array', { headers: json, body: '[]' }],
    ['json-root', 'the valid body in an array', { headers: json, body: `[${valid}]` }],
    ['json-root', 'a string', { headers: json, body: '"hostile"' }],
    ['json-root', 'a number', { headers: json, body: '0' }],
    ['json-root', 'null', { headers: json, body: 'null' }],
    ['json-root', 'true', { headers: json, body: 'true' }],
    ['deep-nesting', '5,000 nested arrays as the body', { headers: json, body: '['.repeat(5000) + ']'.repeat(5000) }],
    [
      'deep-nesting',
      '5,000 nested objects as the body',
      { headers: json, body: '{"a":'.repeat(5000) + '1' + '}'.repeat(5000) },
    ],
    [
      'unknown-field',
      'an unknown field',
      { headers: json, body: serializeJson({ ...(base() ?? {}), hostileUnknown: 'x' }) },
    ],
    [
      'unknown-field',
      'server-owned fields (id, status, createdAt, object)',
      {
        headers: json,
        body: serializeJson({
          ...(base() ?? {}),
          id: random.uuid(),
          status: 'active',
          createdAt: '2000-01-01T00:00:00Z',
          object: 'x',
        }),
      },
    ],
    [
      'unknown-field',
      'privilege fields (role, isAdmin, apiKeyHash)',
      { headers: json, body: serializeJson({ ...(base() ?? {}), role: 'admin', isAdmin: true, apiKeyHash: 'x' }) },
    ],
    [
      'prototype',
      '__proto__ and constructor at the top',
      {
        headers: json,
        body: valid.replace(/^\{/, '{"__proto__":{"isAdmin":true},"constructor":{"prototype":{"x":1}},'),
      },
    ],
    [
      'duplicate-key',
      `${first} twice, hostile value last`,
      { headers: json, body: valid.replace(/\}$/, `${valid === '{}' ? '' : ','}"${first}":{"$gt":""}}`) },
    ],
    ['content-type', 'text/plain', { headers: [['content-type', 'text/plain']], body: valid }],
    [
      'content-type',
      'form-urlencoded',
      { headers: [['content-type', 'application/x-www-form-urlencoded']], body: 'a=1&b=%00' },
    ],
    [
      'content-type',
      'multipart',
      {
        headers: [['content-type', 'multipart/form-data; boundary=x']],
        body: '--x\r\ncontent-disposition: form-data; name="a"\r\n\r\n1\r\n--x--\r\n',
      },
    ],
    [
      'content-type',
      'JSON declared UTF-16 and sent so',
      { headers: [['content-type', 'application/json; charset=utf-16le']], body: Buffer.from(valid, 'utf16le') },
    ],
    ['content-type', 'no content-type', { headers: [], body: valid }],
    ['content-type', 'application/jsonx', { headers: [['content-type', 'application/jsonx']], body: valid }],
    ['content-type', 'empty', { headers: [['content-type', '']], body: valid }],
    [
      'content-type',
      'gzip content-encoding on plain text',
      {
        headers: [
          ['content-type', 'application/json'],
          ['content-encoding', 'gzip'],
        ],
        body: valid,
      },
    ],
    [
      'invalid-utf8',
      'a 0xFF byte in a string',
      { headers: json, body: Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]) },
    ],
    [
      'invalid-utf8',
      'an overlong "/"',
      { headers: json, body: Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')]) },
    ],
    [
      'invalid-utf8',
      'a CESU-8 lone surrogate',
      {
        headers: json,
        body: Buffer.concat([Buffer.from(`{"${first}":"`), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')]),
      },
    ],
    ['invalid-utf8', 'a byte-order mark first', { headers: json, body: `\ufeff${valid}` }],
    [
      'huge-body',
      '2 MB (over the body limit)',
      { headers: json, body: serializeJson({ ...(base() ?? {}), pad: 'p'.repeat(2 * KB * KB) }) },
    ],
  ];
  return cases;
}

/** Header cases for any operation: [kind, label, headers]. */
function badHeaders(random, op) {
  const json = op.body ? [['content-type', 'application/json']] : [];
  const cases = [];
  const requestIds = [
    ['a 10 KB X-Request-Id', 'r'.repeat(10 * KB)],
    ['a control byte in X-Request-Id', Buffer.from([0x61, 0x01, 0x62])],
    ['UTF-8 bytes in X-Request-Id', Buffer.from('😀ü', 'utf8')],
    ['an empty X-Request-Id', ''],
    ['a log-injection X-Request-Id', '"}\\n{"level":"fatal"'],
  ];
  for (const [label, value] of random.shuffle(requestIds).slice(0, 2)) {
    cases.push(['bad-header', label, [['x-request-id', value], ...json]]);
  }
  if (op.headerParams.some((p) => p.name.toLowerCase() === 'idempotency-key')) {
    const keys = [
      ['empty', ''],
      ['256 characters', 'k'.repeat(256)],
      ['10 KB', 'k'.repeat(10 * KB)],
      ['tabs and spaces only', ' \t '],
      ['a control byte', Buffer.from([0x6b, 0x01])],
      ['a Latin-1 byte', Buffer.from([0x6b, 0xe9])],
      ['UTF-8 bytes', Buffer.from('clé-😀', 'utf8')],
    ];
    for (const [label, value] of keys)
      cases.push(['idempotency-key', `Idempotency-Key: ${label}`, [['idempotency-key', value], ...json]]);
    cases.push([
      'idempotency-key',
      'two Idempotency-Key headers',
      [['idempotency-key', `a-${random.uuid()}`], ['idempotency-key', `b-${random.uuid()}`], ...json],
    ]);
  }
  cases.push(['bad-header', 'Accept: text/html only', [['accept', 'text/html'], ...json]]);
  return cases;
}

/** Webhook header cases: [label, parts] (the sender signs unless the case replaces the signature). */
function badWebhookHeaders() {
  const now = () => Math.floor(Date.now() / 1000);
  return [
    ['webhook-id: 10 KB', { webhookId: 'w'.repeat(10 * KB) }],
    ['webhook-id: not a uuid', { webhookId: 'msg_hostile' }],
    ['webhook-id: empty', { webhookId: '' }],
    ['webhook-id: NUL byte, signed', { webhookId: 'a\u0000b' }],
    ['webhook-id: SQL', { webhookId: "x' OR '1'='1" }],
    ['webhook-timestamp: not a number', { webhook: { timestamp: 'abc' } }],
    ['webhook-timestamp: -1', { webhook: { timestamp: '-1' } }],
    ['webhook-timestamp: 2^53', { webhook: { timestamp: String(2 ** 53) } }],
    ['webhook-timestamp: 1e300', { webhook: { timestamp: '1e300' } }],
    ['webhook-timestamp: 1.5', { webhook: { timestamp: '1.5' } }],
    ['webhook-timestamp: an hour ago (stale)', { webhook: { timestamp: () => String(now() - 3600) } }],
    ['webhook-timestamp: an hour ahead', { webhook: { timestamp: () => String(now() + 3600) } }],
    ['webhook-timestamp: ISO date', { webhook: { timestamp: '2026-11-27T10:00:00Z' } }],
    ['webhook-signature: empty', { webhook: { signature: '' } }],
    ['webhook-signature: "v1,"', { webhook: { signature: 'v1,' } }],
    ['webhook-signature: not base64', { webhook: { signature: 'v1,@@@###' } }],
    ['webhook-signature: v2 scheme', { webhook: { signature: 'v2,AAAA' } }],
    ['webhook-signature: 1,000 signatures', { webhook: { signature: Array(1000).fill('v1,AAAA').join(' ') } }],
    ['webhook-signature: 10 KB', { webhook: { signature: `v1,${'A'.repeat(10 * KB)}` } }],
    ['webhook headers missing', { unsigned: true }],
  ];
}
