// Reads what a service's source says about its environment, so the deploy test checks the manifests against the code
// rather than against a copy of its variable list.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

/**
 * The environment schema of a service: the class-validator class that `src/config/` hands to `plainToInstance()`
 * before `validateSync()` (subscription-service: `Environment`, payment-service: `EnvironmentVariables`).
 * Returns `{ className, file, variables: [{ name, required }] }`; a variable is required when its property has no
 * default, no `?` and no `@IsOptional()`. Throws when no such class is found.
 */
export function readEnvSchema(serviceDir) {
  const configDir = join(serviceDir, 'src', 'config');
  const sources = readdirSync(configDir)
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.spec.ts'))
    .map((name) =>
      ts.createSourceFile(name, readFileSync(join(configDir, name), 'utf8'), ts.ScriptTarget.Latest, true),
    );

  const schemaNames = new Set();
  const classes = new Map();
  const visit = (node, file) => {
    if (
      ts.isCallExpression(node) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === 'plainToInstance' &&
      node.arguments[0] &&
      ts.isIdentifier(node.arguments[0])
    ) {
      schemaNames.add(node.arguments[0].text);
    }
    if (ts.isClassDeclaration(node) && node.name) classes.set(node.name.text, { node, file });
    ts.forEachChild(node, (child) => visit(child, file));
  };
  for (const source of sources) visit(source, source.fileName);

  const found = [...schemaNames].filter((name) => classes.has(name));
  if (found.length !== 1) {
    throw new Error(`${configDir}: expected one class passed to plainToInstance(), found ${JSON.stringify(found)}`);
  }
  const { node, file } = classes.get(found[0]);
  const variables = node.members.filter(ts.isPropertyDeclaration).map((property) => {
    const decorators = (ts.getDecorators(property) ?? []).map((decorator) =>
      ts.isCallExpression(decorator.expression) ? decorator.expression.expression.getText() : '',
    );
    const optional = property.initializer !== undefined || property.questionToken !== undefined;
    return { name: property.name.getText(), required: !optional && !decorators.includes('IsOptional') };
  });
  return { className: found[0], file: join('src', 'config', file), variables };
}

/**
 * How long a request may wait for a database connection before it is answered 503: `CONNECT_TIMEOUT_MS` in the
 * service's `src/platform/database/database.ts`, in milliseconds. Part of what a pod drains at shutdown.
 */
export function readPoolWaitMs(serviceDir) {
  const source = readFileSync(join(serviceDir, 'src', 'platform', 'database', 'database.ts'), 'utf8');
  const match = /const CONNECT_TIMEOUT_MS = ([\d_]+);/.exec(source);
  if (!match) throw new Error(`${serviceDir}: CONNECT_TIMEOUT_MS not found in src/platform/database/database.ts`);
  return Number(match[1].replaceAll('_', ''));
}

/**
 * The numeric uid the service's image runs as, from the last `USER` of its Dockerfile: a number as is, `node` as
 * 1000 (the user of the official node images), any other name by the `--uid` its `useradd` gives it.
 */
export function readImageUid(serviceDir) {
  const dockerfile = readFileSync(join(serviceDir, 'Dockerfile'), 'utf8');
  const user = [...dockerfile.matchAll(/^USER\s+(\S+)/gm)].at(-1)?.[1];
  if (user === undefined) throw new Error(`${serviceDir}/Dockerfile: no USER`);
  if (/^\d+$/.test(user)) return Number(user);
  if (user === 'node') return 1000;
  const useradd = new RegExp(`useradd\\b[^\\n]*--uid\\s+(\\d+)[^\\n]*\\s${user}\\s*$`, 'm').exec(dockerfile);
  if (!useradd) throw new Error(`${serviceDir}/Dockerfile: USER ${user} has no fixed --uid`);
  return Number(useradd[1]);
}
