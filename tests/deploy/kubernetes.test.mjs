// deploy/kubernetes: every overlay rendered with `kubectl kustomize`, each object validated offline against the
// Kubernetes API schema (kubernetes-models), and the properties the cluster relies on checked against the services'
// own source: the environment schema in src/config/, the image's user in the Dockerfile, the pool wait in
// src/platform/database/. No cluster and no network are needed.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readEnvSchema, readImageUid, readPoolWaitMs } from './env-schema.mjs';
import { renderOverlay, unknownFields, validateObject } from './manifests.mjs';
import { ingressAllowed, selectorMatches } from './network-policy.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const OVERLAYS_DIR = join(root, 'deploy', 'kubernetes', 'overlays');
const SERVICES = ['subscription-service', 'payment-service'];
/** Namespaces the NetworkPolicies admit: the ingress controller's (public traffic) and the metrics scraper's. */
const INGRESS_NAMESPACE = 'ingress-nginx';
const MONITORING_NAMESPACE = 'monitoring';
/** Variables that hold credentials: they must come from a Secret, never from a ConfigMap or the manifest. */
const SECRET_VARIABLE = /^DATABASE_URL$|_KEYS?$|_SECRETS?$/;

const overlayNames = readdirSync(OVERLAYS_DIR, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();
const services = Object.fromEntries(
  SERVICES.map((service) => {
    const dir = join(root, service);
    return [
      service,
      { schema: readEnvSchema(dir), uid: readImageUid(dir), poolWaitSeconds: readPoolWaitMs(dir) / 1000 },
    ];
  }),
);

const label = (object) => `${object.kind}/${object.metadata.name}`;
const serviceOf = (deployment) => deployment.spec.template.metadata.labels['app.kubernetes.io/name'];
const componentOf = (deployment) => deployment.spec.template.metadata.labels['app.kubernetes.io/component'];
const mainContainer = (deployment) =>
  deployment.spec.template.spec.containers.find((container) => container.name === serviceOf(deployment));
const allContainers = (deployment) => [
  ...(deployment.spec.template.spec.initContainers ?? []),
  ...deployment.spec.template.spec.containers,
];

/**
 * The environment a container starts with, as Kubernetes builds it: `envFrom` first, then `env` (which wins).
 * Returns a Map name → { value } for literal and ConfigMap values, or { secret: { name, key } }. Throws on a
 * reference to a ConfigMap that is not rendered, or on `envFrom` a Secret (its keys would be invisible here).
 */
function containerEnvironment(container, objects) {
  const configMap = (name) => {
    const found = objects.find((object) => object.kind === 'ConfigMap' && object.metadata.name === name);
    if (!found) throw new Error(`container ${container.name} reads ConfigMap ${name}, which is not rendered`);
    return found.data ?? {};
  };
  const environment = new Map();
  for (const source of container.envFrom ?? []) {
    if (source.secretRef) throw new Error(`container ${container.name}: envFrom a Secret hides which keys it sets`);
    for (const [name, value] of Object.entries(configMap(source.configMapRef.name)))
      environment.set(`${source.prefix ?? ''}${name}`, { value });
  }
  for (const variable of container.env ?? []) {
    if (variable.valueFrom?.secretKeyRef) environment.set(variable.name, { secret: variable.valueFrom.secretKeyRef });
    else if (variable.valueFrom?.configMapKeyRef) {
      const { name, key } = variable.valueFrom.configMapKeyRef;
      environment.set(variable.name, { value: configMap(name)[key] });
    } else environment.set(variable.name, { value: variable.value ?? '' });
  }
  return environment;
}

describe('deploy/kubernetes', () => {
  it('should have overlays to render', () => {
    assert.ok(overlayNames.includes('staging') && overlayNames.includes('production'), overlayNames.join(', '));
  });

  it('should use no field the Kubernetes API does not know, in any overlay', () => {
    const entries = overlayNames.flatMap((overlay) =>
      renderOverlay(join(OVERLAYS_DIR, overlay)).map((object) => ({ label: `${overlay}: ${label(object)}`, object })),
    );
    assert.deepEqual(unknownFields(entries, join(root, 'node_modules', '.cache', 'deploy-test')), []);
  });

  for (const overlay of overlayNames) {
    describe(`overlay ${overlay}`, () => {
      const production = overlay.startsWith('production');
      let objects;
      let deployments;
      let namespace;

      before(() => {
        objects = renderOverlay(join(OVERLAYS_DIR, overlay));
        deployments = objects.filter((object) => object.kind === 'Deployment');
        namespace = deployments[0]?.metadata.namespace;
        const counts = {};
        for (const object of objects) counts[object.kind] = (counts[object.kind] ?? 0) + 1;
        console.log(`[deploy] ${overlay}: ${objects.length} objects ${JSON.stringify(counts)}`);
      });

      it('should render only objects that kubernetes-models validates against the Kubernetes API schema', () => {
        assert.ok(objects.length > 0);
        for (const object of objects) {
          assert.doesNotThrow(() => validateObject(object), `${label(object)} is not a valid ${object.apiVersion}`);
        }
      });

      it('should put everything in one namespace with the restricted Pod Security Standard enforced', () => {
        assert.ok(namespace, 'the overlay sets a namespace');
        const ns = objects.find((object) => object.kind === 'Namespace');
        assert.equal(ns?.metadata.name, namespace);
        assert.equal(ns.metadata.labels['pod-security.kubernetes.io/enforce'], 'restricted');
        for (const object of objects.filter((o) => o.kind !== 'Namespace'))
          assert.equal(object.metadata.namespace, namespace, label(object));
      });

      it('should deploy each service', () => {
        assert.deepEqual([...new Set(deployments.map(serviceOf))].sort(), [...SERVICES].sort());
      });

      it("should set every variable of the service's environment schema, and no other, in every Deployment", () => {
        for (const deployment of deployments) {
          const { schema } = services[serviceOf(deployment)];
          const environment = containerEnvironment(mainContainer(deployment), objects);
          const known = schema.variables.map((variable) => variable.name);
          const missing = known.filter((name) => !environment.has(name));
          const unknown = [...environment.keys()].filter((name) => !known.includes(name));
          assert.deepEqual(missing, [], `${label(deployment)} leaves out variables of ${schema.file}`);
          assert.deepEqual(unknown, [], `${label(deployment)} sets variables ${schema.file} does not read`);
          for (const variable of schema.variables.filter((v) => v.required)) {
            const entry = environment.get(variable.name);
            assert.ok(entry.secret || entry.value, `${label(deployment)}: ${variable.name} is required`);
          }
        }
      });

      it('should take keys, webhook secrets and DATABASE_URL from Secrets, never from the manifests', () => {
        assert.deepEqual(
          objects.filter((object) => object.kind === 'Secret').map(label),
          [],
          'secret values stay out of git',
        );
        for (const deployment of deployments) {
          const environment = containerEnvironment(mainContainer(deployment), objects);
          for (const [name, entry] of environment) {
            if (SECRET_VARIABLE.test(name)) assert.ok(entry.secret, `${label(deployment)}: ${name} is not a secret`);
          }
        }
        for (const configMap of objects.filter((object) => object.kind === 'ConfigMap')) {
          const secrets = Object.keys(configMap.data ?? {}).filter((name) => SECRET_VARIABLE.test(name));
          assert.deepEqual(secrets, [], `${label(configMap)} holds secrets`);
        }
      });

      it('should migrate in an init container before the server starts, and never run the seed', () => {
        for (const deployment of deployments) {
          const [migrate, ...others] = deployment.spec.template.spec.initContainers ?? [];
          assert.deepEqual(migrate?.command, ['node', 'scripts/migrate.cjs'], label(deployment));
          assert.deepEqual(others, [], label(deployment));
          assert.equal(migrate.image, mainContainer(deployment).image, `${label(deployment)} migrates its own version`);
          assert.deepEqual(
            containerEnvironment(migrate, objects).get('DATABASE_URL'),
            containerEnvironment(mainContainer(deployment), objects).get('DATABASE_URL'),
            `${label(deployment)} migrates the database it serves`,
          );
          assert.deepEqual(mainContainer(deployment).command, ['node', 'dist/main.js'], label(deployment));
          for (const container of allContainers(deployment)) {
            // An explicit command: the images' default command runs the demo seed.
            assert.ok(container.command?.length, `${label(deployment)} ${container.name} relies on the image's CMD`);
            const commandLine = [...container.command, ...(container.args ?? [])].join(' ');
            assert.doesNotMatch(commandLine, /seed/, `${label(deployment)} ${container.name}`);
          }
        }
        assert.ok(
          objects.every((object) => object.kind !== 'Job' && object.kind !== 'CronJob'),
          'no Job: plain `kubectl apply` would not order it before the Deployments',
        );
      });

      if (production) {
        it('should keep the admin test clock off', () => {
          const checked = [];
          for (const deployment of deployments) {
            const { schema } = services[serviceOf(deployment)];
            const environment = containerEnvironment(mainContainer(deployment), objects);
            for (const { name } of schema.variables.filter((variable) => variable.name.includes('TEST_CLOCK'))) {
              assert.equal(environment.get(name)?.value, 'false', `${label(deployment)}: ${name}`);
              checked.push(name);
            }
          }
          assert.ok(checked.length > 0, 'no environment schema has a TEST_CLOCK variable any more: update this check');
        });

        it('should pin the image of every container to a release tag or digest', () => {
          for (const deployment of deployments) {
            for (const container of allContainers(deployment)) {
              assert.match(
                container.image,
                /(:[\w.-]+|@sha256:[0-9a-f]{64})$/,
                `${label(deployment)} ${container.name}`,
              );
              assert.doesNotMatch(container.image, /:(latest|local)$/, `${label(deployment)} ${container.name}`);
            }
          }
        });
      }

      it('should run every container of a service from one image', () => {
        for (const service of SERVICES) {
          const images = deployments
            .filter((deployment) => serviceOf(deployment) === service)
            .flatMap((deployment) => allContainers(deployment).map((container) => container.image));
          assert.equal(new Set(images).size, 1, `${service}: ${[...new Set(images)].join(', ')}`);
        }
      });

      it("should run each service's background workers, in the worker Deployment when there is one", () => {
        for (const service of SERVICES) {
          const own = deployments.filter((deployment) => serviceOf(deployment) === service);
          const workersEnabled = (deployment) =>
            containerEnvironment(mainContainer(deployment), objects).get('WORKERS_ENABLED')?.value;
          const hasWorkerDeployment = own.some((deployment) => componentOf(deployment) === 'worker');
          for (const deployment of own) {
            const expected = componentOf(deployment) === 'worker' || !hasWorkerDeployment ? 'true' : 'false';
            assert.equal(workersEnabled(deployment), expected, `${label(deployment)}: WORKERS_ENABLED`);
          }
        }
      });

      it('should probe /health/live and /health/ready on the port the service listens on', () => {
        for (const deployment of deployments) {
          const container = mainContainer(deployment);
          const port = container.ports.find((p) => p.name === 'http');
          const listens = containerEnvironment(container, objects).get('PORT')?.value;
          assert.equal(String(port?.containerPort), listens, `${label(deployment)}: containerPort http = PORT`);
          assert.deepEqual(container.livenessProbe?.httpGet, { path: '/health/live', port: 'http' }, label(deployment));
          assert.deepEqual(
            container.readinessProbe?.httpGet,
            { path: '/health/ready', port: 'http' },
            label(deployment),
          );
          assert.deepEqual(container.startupProbe?.httpGet, { path: '/health/live', port: 'http' }, label(deployment));
          assert.ok(
            container.ports.some((p) => p.name === 'metrics'),
            `${label(deployment)}: the metrics port placeholder`,
          );
        }
      });

      it("should run as the image's non-root user with a read-only root filesystem, no capabilities and no privilege escalation", () => {
        for (const deployment of deployments) {
          const pod = deployment.spec.template.spec;
          const uid = services[serviceOf(deployment)].uid;
          assert.equal(pod.securityContext?.runAsNonRoot, true, label(deployment));
          assert.equal(pod.securityContext.runAsUser, uid, `${label(deployment)} runs as its Dockerfile's USER`);
          assert.notEqual(uid, 0);
          assert.equal(pod.securityContext.seccompProfile?.type, 'RuntimeDefault', label(deployment));
          assert.equal(pod.automountServiceAccountToken, false, label(deployment));
          for (const container of allContainers(deployment)) {
            const where = `${label(deployment)} ${container.name}`;
            assert.equal(container.securityContext?.allowPrivilegeEscalation, false, where);
            assert.equal(container.securityContext.readOnlyRootFilesystem, true, where);
            assert.deepEqual(container.securityContext.capabilities?.drop, ['ALL'], where);
            assert.equal(container.securityContext.privileged ?? false, false, where);
          }
        }
      });

      it('should set CPU and memory requests and limits on every container', () => {
        for (const deployment of deployments) {
          for (const container of allContainers(deployment)) {
            for (const kind of ['requests', 'limits']) {
              for (const resource of ['cpu', 'memory']) {
                assert.ok(container.resources?.[kind]?.[resource], `${label(deployment)} ${container.name} ${kind}`);
              }
            }
          }
        }
      });

      it('should give every pod more termination grace than its shutdown drain takes', () => {
        for (const deployment of deployments) {
          const container = mainContainer(deployment);
          const environment = containerEnvironment(container, objects);
          // The longest outbound call a worker may have in flight at SIGTERM (HTTP_TIMEOUT_MS, WEBHOOK_TIMEOUT_MS).
          const timeouts = [...environment]
            .filter(([name]) => name.endsWith('_TIMEOUT_MS'))
            .map(([, entry]) => Number(entry.value) / 1000);
          assert.ok(timeouts.length > 0, `${label(deployment)} sets an outbound timeout`);
          const preStop = container.lifecycle?.preStop?.exec?.command;
          const preStopSeconds = preStop ? Number(preStop.at(-1)) : 0;
          const drain = preStopSeconds + Math.max(...timeouts) + services[serviceOf(deployment)].poolWaitSeconds;
          const grace = deployment.spec.template.spec.terminationGracePeriodSeconds;
          assert.ok(grace >= drain, `${label(deployment)}: ${grace} s of grace, drain up to ${drain} s`);
        }
      });

      it('should run at least 2 replicas, each Deployment with its HorizontalPodAutoscaler and PodDisruptionBudget', () => {
        for (const deployment of deployments) {
          const podLabels = deployment.spec.template.metadata.labels;
          assert.ok(deployment.spec.replicas >= 2, `${label(deployment)}: replicas`);
          assert.ok(selectorMatches(deployment.spec.selector, podLabels));
          const { maxUnavailable, maxSurge } = deployment.spec.strategy.rollingUpdate;
          assert.deepEqual(
            [maxUnavailable, maxSurge],
            [0, 1],
            `${label(deployment)}: old pods serve until new are ready`,
          );

          const hpas = objects.filter(
            (o) =>
              o.kind === 'HorizontalPodAutoscaler' &&
              o.spec.scaleTargetRef.kind === 'Deployment' &&
              o.spec.scaleTargetRef.name === deployment.metadata.name,
          );
          assert.equal(hpas.length, 1, `${label(deployment)}: HorizontalPodAutoscaler`);
          assert.ok(hpas[0].spec.minReplicas >= 2 && hpas[0].spec.maxReplicas >= hpas[0].spec.minReplicas);
          assert.equal(
            hpas[0].spec.minReplicas,
            deployment.spec.replicas,
            `${label(deployment)}: replicas = minReplicas`,
          );

          const pdbs = objects.filter(
            (o) => o.kind === 'PodDisruptionBudget' && selectorMatches(o.spec.selector, podLabels),
          );
          assert.equal(pdbs.length, 1, `${label(deployment)}: PodDisruptionBudget`);
          const others = deployments.filter((d) => d !== deployment).map((d) => d.spec.template.metadata.labels);
          assert.ok(!others.some((labels) => selectorMatches(pdbs[0].spec.selector, labels)), label(pdbs[0]));
          assert.ok(
            pdbs[0].spec.maxUnavailable < hpas[0].spec.minReplicas || pdbs[0].spec.minAvailable >= 1,
            `${label(pdbs[0])} keeps a pod serving`,
          );
        }
      });

      it('should route each Service to the API pods, on a port they listen on', () => {
        for (const service of objects.filter((object) => object.kind === 'Service')) {
          const selected = deployments.filter((deployment) =>
            selectorMatches({ matchLabels: service.spec.selector }, deployment.spec.template.metadata.labels),
          );
          assert.deepEqual(selected.map(componentOf), ['api'], `${label(service)} selects the API pods only`);
          for (const port of service.spec.ports) {
            assert.ok(
              mainContainer(selected[0]).ports.some((p) => p.name === port.targetPort),
              label(service),
            );
          }
        }
      });

      it('should admit to the payment API only the subscription service, to the subscription API only the payment service and the ingress controller, and to metrics only monitoring', () => {
        const policies = objects.filter((object) => object.kind === 'NetworkPolicy');
        const targets = deployments.map((deployment) => ({
          name: deployment.metadata.name,
          namespace,
          labels: deployment.spec.template.metadata.labels,
          ports: Object.fromEntries(mainContainer(deployment).ports.map((p) => [p.name, p.containerPort])),
        }));
        const sources = [
          ...targets,
          {
            name: 'ingress controller',
            namespace: INGRESS_NAMESPACE,
            labels: { 'app.kubernetes.io/name': 'ingress-nginx' },
          },
          { name: 'prometheus', namespace: MONITORING_NAMESPACE, labels: { 'app.kubernetes.io/name': 'prometheus' } },
          { name: 'another pod of the namespace', namespace, labels: { 'app.kubernetes.io/name': 'debug-shell' } },
          {
            name: 'a look-alike in another namespace',
            namespace: 'default',
            labels: { 'app.kubernetes.io/name': 'subscription-service', 'app.kubernetes.io/component': 'api' },
          },
        ];
        const expected = (source, target, port) => {
          if (port === 'metrics') return source.namespace === MONITORING_NAMESPACE;
          if (target.labels['app.kubernetes.io/component'] !== 'api') return false;
          const caller = source.namespace === namespace ? source.labels['app.kubernetes.io/name'] : undefined;
          if (target.labels['app.kubernetes.io/name'] === 'payment-service') return caller === 'subscription-service';
          return caller === 'payment-service' || source.namespace === INGRESS_NAMESPACE;
        };
        const wrong = [];
        for (const target of targets) {
          for (const port of ['http', 'metrics']) {
            for (const source of sources) {
              const allowed = ingressAllowed(policies, source, target, port);
              if (allowed !== expected(source, target, port))
                wrong.push(`${source.name} → ${target.name}:${port} ${allowed ? 'admitted' : 'refused'}`);
            }
          }
        }
        assert.deepEqual(wrong, []);
      });
    });
  }
});
