import type { FastifyInstance } from 'fastify';
import { DomainError } from '../errors/domain-error';

/**
 * The deepest nesting of arrays and objects a JSON body may have. Deeper bodies are refused before anything walks
 * them: class-transformer, class-validator and the idempotency hash recurse once per level, so 20 KB of `[` or an
 * object nested 5,000 levels would overflow the stack. Every body of the API is at most 3 levels deep.
 */
export const MAX_JSON_DEPTH = 32;

/**
 * True when `value` nests arrays/objects more than `maxDepth` levels (a scalar is depth 0, `[]` and `{}` 1, `[[]]`
 * 2). Iterative, so it never recurses itself, and it stops at the first value too deep.
 */
export function nestsDeeperThan(value: unknown, maxDepth: number): boolean {
  const pending: [unknown, number][] = [[value, 0]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [item, depth] = next;
    if (typeof item !== 'object' || item === null) continue;
    if (depth + 1 > maxDepth) return true;
    for (const child of Array.isArray(item) ? item : Object.values(item)) {
      if (typeof child === 'object' && child !== null) pending.push([child, depth + 1]);
    }
  }
  return false;
}

/**
 * Refuses a parsed body nested deeper than MAX_JSON_DEPTH with 400 `validation_failed` (field `body`), in
 * Fastify's preValidation hook: after the body parser, before Nest's guards, pipes and handler, on every route.
 */
export function registerInputLimits(fastify: FastifyInstance): void {
  fastify.addHook('preValidation', (request, _reply, done) => {
    if (nestsDeeperThan(request.body, MAX_JSON_DEPTH)) {
      done(DomainError.validation([{ field: 'body', message: `must not nest deeper than ${MAX_JSON_DEPTH} levels` }]));
      return;
    }
    done();
  });
}
