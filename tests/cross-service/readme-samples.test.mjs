// The request/response samples in README.md, replayed against both real services so the
// documentation cannot drift from the code.
//
// A sample is a `<!-- sample: NAME status=NNN [service=payment] [poll] [ignore=a,b] -->` marker
// followed by an ```http block (request line, headers, blank line, JSON body) and a ```json block
// (the expected response, abridged). Rules:
//   - ids (UUIDs) and sk_live_ keys in a sample stand for the real ones: the first time one is seen
//     in an expected response it is bound to the actual value, and later requests use that value;
//   - timestamps must be ISO-8601 in the response; other values must be equal;
//   - every field shown must be present; fields not shown are not checked (samples are abridged);
//   - `poll` retries until the response matches (asynchronous effects such as webhooks);
//   - `ignore=` lists field names whose values depend on the clock (checked for presence and type only).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { eventually } from '../../scripts/lib/stack.mjs';
import { startStack } from './harness.mjs';

const README = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'README.md');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const API_KEY = /^sk_live_[A-Za-z0-9_-]+$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

export function parseSamples(markdown) {
  const pattern = /<!-- sample: (\S+)([^>]*?)-->\s*```http\n([\s\S]*?)```[\s\S]*?```json\n([\s\S]*?)```/g;
  return [...markdown.matchAll(pattern)].map(([, name, attributes, http, json]) => {
    const attrs = Object.fromEntries(
      attributes
        .trim()
        .split(/\s+/)
        .filter(Boolean)
        .map((attr) => (attr.includes('=') ? attr.split('=') : [attr, true])),
    );
    return {
      name,
      status: Number(attrs.status),
      service: attrs.service ?? 'subscription',
      poll: Boolean(attrs.poll),
      ignore: new Set(typeof attrs.ignore === 'string' ? attrs.ignore.split(',') : []),
      http,
      expected: JSON.parse(json),
    };
  });
}

function parseRequest(http) {
  const [head, ...bodyParts] = http.split(/\n\s*\n/);
  const [requestLine, ...headerLines] = head.trim().split('\n');
  const [method, path] = requestLine.trim().split(/\s+/);
  const headers = {};
  for (const line of headerLines) {
    const index = line.indexOf(':');
    const name = line.slice(0, index).trim().toLowerCase();
    if (name !== 'host') headers[name] = line.slice(index + 1).trim();
  }
  const body = bodyParts.join('\n\n').trim();
  return { method, path, headers, body: body || undefined };
}

/** Compares an abridged expected value with the actual one; returns mismatches and new bindings. */
function compare(expected, actual, path, bindings, ignore) {
  const problems = [];
  const bound = new Map();
  const walk = (exp, act, at) => {
    const key = at
      .split('.')
      .pop()
      ?.replace(/\[\d+\]$/, '');
    if (act === undefined) return problems.push(`${at}: missing`);
    if (ignore.has(key)) {
      if (typeof exp !== typeof act) problems.push(`${at}: expected a ${typeof exp}, got ${JSON.stringify(act)}`);
      return;
    }
    if (Array.isArray(exp)) {
      if (!Array.isArray(act)) return problems.push(`${at}: expected an array`);
      if (act.length < exp.length)
        return problems.push(`${at}: expected at least ${exp.length} items, got ${act.length}`);
      exp.forEach((item, i) => walk(item, act[i], `${at}[${i}]`));
      return;
    }
    if (exp !== null && typeof exp === 'object') {
      if (act === null || typeof act !== 'object') return problems.push(`${at}: expected an object`);
      for (const [k, v] of Object.entries(exp)) walk(v, act[k], at ? `${at}.${k}` : k);
      return;
    }
    if (typeof exp === 'string' && (UUID.test(exp) || API_KEY.test(exp))) {
      const pattern = UUID.test(exp) ? UUID : API_KEY;
      if (typeof act !== 'string' || !pattern.test(act)) return problems.push(`${at}: expected ${pattern}, got ${act}`);
      const known = bindings.get(exp) ?? bound.get(exp);
      if (known === undefined) bound.set(exp, act);
      else if (known !== act) problems.push(`${at}: expected ${known} (bound from ${exp}), got ${act}`);
      return;
    }
    if (typeof exp === 'string' && TIMESTAMP.test(exp)) {
      if (typeof act !== 'string' || !TIMESTAMP.test(act)) problems.push(`${at}: expected a timestamp, got ${act}`);
      return;
    }
    if (exp !== act) problems.push(`${at}: expected ${JSON.stringify(exp)}, got ${JSON.stringify(act)}`);
  };
  walk(expected, actual, path);
  return { problems, bound };
}

describe('README samples replayed against both services', () => {
  const samples = parseSamples(readFileSync(README, 'utf8'));
  const bindings = new Map();
  let stack;

  before(async () => {
    stack = await startStack({ seed: true, name: 'readme-samples' });
  });

  after(async () => {
    await stack?.stop();
  });

  it('should find the walkthrough samples in README.md', () => {
    assert.ok(samples.length >= 8, `found ${samples.length} samples`);
  });

  for (const sample of samples) {
    it(`should answer "${sample.name}" as README.md shows`, async () => {
      const substitute = (text) => [...bindings].reduce((out, [from, to]) => out.split(from).join(to), text);
      const request = parseRequest(substitute(sample.http));
      const baseUrl = sample.service === 'payment' ? stack.paymentUrl : stack.subscriptionUrl;
      const outcome = await eventually(
        async () => {
          const res = await fetch(`${baseUrl}${request.path}`, {
            method: request.method,
            headers: request.headers,
            body: request.body,
          });
          const text = await res.text();
          const body = text ? JSON.parse(text) : undefined;
          const { problems, bound } = compare(sample.expected, body, '', bindings, sample.ignore);
          if (res.status !== sample.status) problems.unshift(`status: expected ${sample.status}, got ${res.status}`);
          return { problems, bound, body };
        },
        {
          timeoutMs: sample.poll ? 15_000 : 0,
          intervalMs: 200,
          isDone: (outcome) => outcome.problems.length === 0,
          lastOnTimeout: true,
        },
      );

      assert.deepEqual(outcome.problems, [], `${sample.name}: ${JSON.stringify(outcome.body, null, 2)}`);
      for (const [from, to] of outcome.bound) bindings.set(from, to);
    });
  }
});
