// docker-compose.yml and scripts/lib/stack.mjs (npm start, the test harnesses, the benchmark) must give each service
// the same variables, every one of them a variable the service declares in its env schema, and every variable the
// schema requires. A variable added to one place only fails here. No database, no running service: the schema is
// read from the TypeScript source (TypeScript's own parser), the compose file with `yaml`.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { parse } from 'yaml';
import {
  PAYMENT_SERVICE_OPTIONS,
  paymentServiceEnv,
  SUBSCRIPTION_SERVICE_OPTIONS,
  subscriptionServiceEnv,
} from '../../scripts/lib/stack.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where each service declares its environment (validated at boot), and what stack.mjs builds for it. */
const SERVICES = {
  'payment-service': {
    schema: { file: 'payment-service/src/config/app-config.ts', className: 'EnvironmentVariables' },
    stackEnv: () =>
      paymentServiceEnv({
        port: 3001,
        databaseUrl: 'postgresql://localhost/payment',
        subscriptionServiceUrl: 'http://localhost:3000',
      }),
    options: PAYMENT_SERVICE_OPTIONS,
  },
  'subscription-service': {
    schema: { file: 'subscription-service/src/config/environment.ts', className: 'Environment' },
    stackEnv: () =>
      subscriptionServiceEnv({
        port: 3000,
        databaseUrl: 'postgresql://localhost/subscription',
        paymentServiceUrl: 'http://localhost:3001',
      }),
    options: SUBSCRIPTION_SERVICE_OPTIONS,
  },
};

/**
 * The properties of the env schema class: { names, required }, where a required one has neither a default value
 * nor `?` (declared `NAME!: type`).
 */
function schemaVariables({ file, className }) {
  const source = ts.createSourceFile(file, readFileSync(join(root, file), 'utf8'), ts.ScriptTarget.Latest, true);
  const declaration = source.statements.find((node) => ts.isClassDeclaration(node) && node.name?.text === className);
  assert.ok(declaration, `${file} declares no class ${className} (did the env schema move? update this test)`);
  const properties = declaration.members.filter((member) => ts.isPropertyDeclaration(member));
  return {
    names: new Set(properties.map((p) => p.name.getText(source))),
    required: new Set(properties.filter((p) => !p.initializer && !p.questionToken).map((p) => p.name.getText(source))),
  };
}

/** Variable names docker-compose.yml sets for a service (map or `NAME=value` list form). */
function composeVariables(service) {
  const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'));
  const environment = compose.services?.[service]?.environment;
  assert.ok(environment, `docker-compose.yml has no environment for ${service}`);
  return new Set(
    Array.isArray(environment) ? environment.map((entry) => entry.split('=')[0]) : Object.keys(environment),
  );
}

const missing = (wanted, present) => [...wanted].filter((name) => !present.has(name)).sort();

for (const [service, { schema, stackEnv, options }] of Object.entries(SERVICES)) {
  describe(`${service} environment`, () => {
    const declared = schemaVariables(schema);
    const compose = composeVariables(service);
    const stack = new Set(Object.keys(stackEnv()));

    it(`should set only variables declared in ${schema.file}`, () => {
      assert.deepEqual(missing(compose, declared.names), [], 'docker-compose.yml sets undeclared variables');
      assert.deepEqual(missing(stack, declared.names), [], 'scripts/lib/stack.mjs sets undeclared variables');
      assert.deepEqual(
        missing(Object.values(options), declared.names),
        [],
        'scripts/lib/stack.mjs has options for undeclared variables',
      );
    });

    it('should set every variable the service requires', () => {
      assert.ok(declared.required.has('DATABASE_URL'), 'the schema reader found no required DATABASE_URL');
      assert.deepEqual(missing(declared.required, compose), [], 'docker-compose.yml misses required variables');
      assert.deepEqual(missing(declared.required, stack), [], 'scripts/lib/stack.mjs misses required variables');
    });

    it('should set the same variables in docker-compose.yml and scripts/lib/stack.mjs', () => {
      assert.deepEqual(missing(compose, stack), [], 'set by docker-compose.yml but not by scripts/lib/stack.mjs');
      assert.deepEqual(missing(stack, compose), [], 'set by scripts/lib/stack.mjs but not by docker-compose.yml');
    });
  });
}
