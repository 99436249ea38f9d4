// Renders the Kustomize overlays of deploy/kubernetes and checks each object against the Kubernetes API schema, offline.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import ts from 'typescript';
import { parseAllDocuments } from 'yaml';

const require = createRequire(import.meta.url);

/** `kubectl` from $KUBECTL or the PATH (Debian: `apt-get install kubernetes-client`; .ci/run installs it). */
export const KUBECTL = process.env.KUBECTL ?? 'kubectl';

/**
 * `kubectl kustomize <dir>` parsed into plain objects, one per YAML document. Throws when kubectl is missing (with
 * how to install it) or fails, or when its output is not valid YAML.
 */
export function renderOverlay(dir) {
  const result = spawnSync(KUBECTL, ['kustomize', dir], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error?.code === 'ENOENT') {
    throw new Error(
      `"${KUBECTL}" not found: the deploy test renders the Kustomize overlays with \`kubectl kustomize\`. ` +
        'Install kubectl (Debian: apt-get install kubernetes-client, as .ci/run does) or set KUBECTL to its path.',
    );
  }
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`${KUBECTL} kustomize ${dir} failed:\n${result.stderr}`);
  return parseAllDocuments(result.stdout).map((document) => {
    if (document.errors.length > 0) throw new Error(`${dir}: ${document.errors.map(String).join('\n')}`);
    return document.toJS();
  });
}

/** The kubernetes-models module of an object's apiVersion and kind, e.g. `kubernetes-models/apps/v1/Deployment`. */
export function modelModule({ apiVersion, kind }) {
  return `kubernetes-models/${apiVersion}/${kind}`;
}

/**
 * Validates an object with kubernetes-models' `validate()` for its apiVersion and kind (the JSON schema of the
 * Kubernetes OpenAPI definitions: types, required fields, enums). Throws a ValidationError naming the invalid path,
 * or an Error when kubernetes-models has no model for the kind.
 */
export function validateObject(object) {
  let models;
  try {
    models = require(modelModule(object));
  } catch {
    throw new Error(`kubernetes-models has no model for ${object.apiVersion} ${object.kind}`);
  }
  new models[object.kind](object).validate();
}

/**
 * Fields the Kubernetes API does not know (a typo such as `readOnlyRootFS`, which `validate()` lets through because
 * the schemas allow additional properties, and `kubectl apply` refuses): each object is type-checked as an object
 * literal against kubernetes-models' TypeScript interface for its kind, whose excess property check reports them.
 * `entries` is `[{ label, object }]`; returns `[{ label, message }]`, empty when every field is known.
 */
export function unknownFields(entries, workDir) {
  mkdirSync(workDir, { recursive: true });
  const file = join(workDir, 'manifests.ts');
  const aliases = new Map();
  for (const { object } of entries) {
    const module = modelModule(object);
    if (!aliases.has(module)) aliases.set(module, `I${aliases.size}`);
  }
  const imports = [...aliases].map(([module, alias]) => {
    const kind = module.split('/').at(-1);
    return `import type { I${kind} as ${alias} } from '${module}';`;
  });
  const declarations = entries.map(
    ({ object }, index) => `export const o${index}: ${aliases.get(modelModule(object))} = ${JSON.stringify(object)};`,
  );
  writeFileSync(file, [...imports, ...declarations].join('\n') + '\n');

  const program = ts.createProgram([file], {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    lib: ['lib.es5.d.ts'], // the object literals need nothing newer; the full default lib triples the time
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
  });
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const line = diagnostic.file ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line : -1;
    const entry = entries[line - imports.length];
    return {
      label: entry?.label ?? diagnostic.file?.fileName ?? 'manifests.ts',
      message: ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'),
    };
  });
}
