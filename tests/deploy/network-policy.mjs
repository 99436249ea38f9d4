// Who may open a connection to whom under a set of NetworkPolicies, following the rules of the Kubernetes
// documentation (concepts/services-networking/network-policies): a pod selected by an Ingress policy accepts only
// what one of those policies admits; a peer with only a podSelector means pods of the policy's namespace; ipBlock
// peers are not modelled (the manifests use none). An empty or missing `from` or `ports` matches everything.

/** `matchLabels` and `matchExpressions` (In, NotIn, Exists, DoesNotExist) of a label selector; `{}` selects all. */
export function selectorMatches(selector, labels) {
  const { matchLabels = {}, matchExpressions = [] } = selector ?? {};
  const byLabel = Object.entries(matchLabels).every(([key, value]) => labels[key] === value);
  const byExpression = matchExpressions.every(({ key, operator, values = [] }) => {
    switch (operator) {
      case 'In':
        return key in labels && values.includes(labels[key]);
      case 'NotIn':
        return !(key in labels) || !values.includes(labels[key]);
      case 'Exists':
        return key in labels;
      case 'DoesNotExist':
        return !(key in labels);
      default:
        throw new Error(`unknown selector operator ${operator}`);
    }
  });
  return byLabel && byExpression;
}

function peerMatches(peer, policyNamespace, source) {
  if (peer.ipBlock) throw new Error('ipBlock peers are not modelled');
  const namespaceLabels = { 'kubernetes.io/metadata.name': source.namespace };
  const namespaceOk = peer.namespaceSelector
    ? selectorMatches(peer.namespaceSelector, namespaceLabels)
    : source.namespace === policyNamespace;
  const podOk = peer.podSelector ? selectorMatches(peer.podSelector, source.labels) : true;
  return namespaceOk && podOk;
}

function portMatches(rulePort, target, portName) {
  const number = target.ports[portName];
  if (rulePort.protocol && rulePort.protocol !== 'TCP') return false;
  if (rulePort.port === undefined) return true;
  return typeof rulePort.port === 'number' ? rulePort.port === number : rulePort.port === portName;
}

/**
 * Whether `source` ({ namespace, labels }) may connect to the container port named `portName` of `target`
 * ({ namespace, labels, ports: { name: number } }), TCP, under `policies` (rendered NetworkPolicy objects).
 */
export function ingressAllowed(policies, source, target, portName) {
  const selecting = policies.filter(
    (policy) =>
      policy.metadata.namespace === target.namespace &&
      selectorMatches(policy.spec.podSelector, target.labels) &&
      (policy.spec.policyTypes ?? ['Ingress']).includes('Ingress'),
  );
  if (selecting.length === 0) return true;
  return selecting.some((policy) =>
    (policy.spec.ingress ?? []).some(
      (rule) =>
        (!rule.from?.length || rule.from.some((peer) => peerMatches(peer, policy.metadata.namespace, source))) &&
        (!rule.ports?.length || rule.ports.some((port) => portMatches(port, target, portName))),
    ),
  );
}
