/*
 * net.*, sa.*, ns.*: segmentation, exposure and identity of workloads.
 *
 * Over 400 lines on purpose: the net.* family shares NetworkPolicy selection
 * and peer semantics, which must be read together to be trusted.
 */
import {
  Check,
  fail,
  KubeObject,
  pass,
  show,
  warn,
} from '@internal/backstage-plugin-security-guardrails-node';
import { isBootstrapped } from '../rbac';
import { serviceAccountName } from './rbac';

/** The policy types a NetworkPolicy enforces, with the API's defaults. */
export function policyTypesOf(policy: KubeObject): Set<'Ingress' | 'Egress'> {
  const spec = (policy.spec ?? {}) as {
    policyTypes?: unknown;
    egress?: unknown;
  };
  const types = new Set<'Ingress' | 'Egress'>();
  if (Array.isArray(spec.policyTypes) && spec.policyTypes.length > 0) {
    for (const t of spec.policyTypes) {
      if (t === 'Ingress' || t === 'Egress') types.add(t);
    }
  } else {
    types.add('Ingress');
    if (Array.isArray(spec.egress)) types.add('Egress');
  }
  return types;
}

export const policyCoverage: Check = {
  meta: {
    id: 'net.policy-coverage',
    title: 'NetworkPolicies cover ingress and egress',
    domain: 'architecture',
    severity: 'medium',
    rationale:
      'Without a NetworkPolicy selecting its pods, every pod in the cluster can reach the service and the service can reach everything: one compromised pod becomes all of them. A default-deny policy plus explicit allows is the segmentation baseline.',
    references: [
      'Polaris missingNetworkPolicy',
      'kube-score pod-networkpolicy',
      'Kubescape C-0260',
    ],
    remediation: `Add a default-deny policy for the namespace, then allow exactly the traffic the service needs.

\`\`\`yaml
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny
spec:
  podSelector: {}
  policyTypes: ["Ingress", "Egress"]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: checkout-allow
spec:
  podSelector:
    matchLabels:
      app.kubernetes.io/name: checkout
  policyTypes: ["Ingress", "Egress"]
  ingress:
    - from:
        - podSelector:
            matchLabels:
              app.kubernetes.io/name: frontend
      ports:
        - port: 8080
  egress:
    - to:
        - podSelector:
            matchLabels:
              app.kubernetes.io/name: payments
    - to:   # DNS
        - namespaceSelector: {}
      ports:
        - port: 53
          protocol: UDP
\`\`\``,
  },
  workload: (w, ctx) => {
    const labels = w.template.metadata.labels;
    const matching = ctx.index.selectingPods(
      'NetworkPolicy',
      w.namespace,
      labels,
    );
    // Policies are additive: a direction is restricted when some selecting
    // policy enforces it, and open again when any of them allows all of it.
    const restricted = new Set<Direction>();
    const opened = new Map<Direction, string>();
    for (const p of matching) {
      for (const t of policyTypesOf(p)) {
        restricted.add(t);
        const why = openRuleOf(p, t);
        if (why && !opened.has(t)) opened.set(t, why);
      }
    }
    const names = matching.map(p => p.metadata.name);
    const observed = names.length
      ? `policies: ${names.join(', ')}`
      : 'no policy selects the pods';
    const field = 'NetworkPolicy.spec.podSelector';
    if (restricted.size === 0) {
      return [
        fail(
          'No NetworkPolicy selects these pods: all traffic is allowed both ways.',
          { field, observed },
        ),
      ];
    }
    const closed = (['Ingress', 'Egress'] as const).filter(
      d => restricted.has(d) && !opened.has(d),
    );
    const open = (['Ingress', 'Egress'] as const).filter(
      d => !closed.includes(d),
    );
    if (open.length === 0) {
      return [pass('Ingress and egress are restricted.', { field, observed })];
    }
    const reasons = open.map(d =>
      opened.has(d) ? `${d} is open: ${opened.get(d)}` : `${d} is open`,
    );
    const message = `${
      closed.length
        ? `Only ${closed[0]} is restricted`
        : 'Nothing is restricted'
    }; ${reasons.join('; ')}.`;
    return [
      closed.length
        ? warn(message, { field, observed })
        : fail(message, { field, observed }),
    ];
  },
};

type Direction = 'Ingress' | 'Egress';

const isEmpty = (v: unknown) =>
  v === undefined || v === null || (Array.isArray(v) && v.length === 0);

/** `{}`: a label selector that matches everything. */
const isEmptySelector = (v: unknown) =>
  v !== null &&
  typeof v === 'object' &&
  Object.keys((v as any).matchLabels ?? {}).length === 0 &&
  isEmpty((v as any).matchExpressions);

const EVERY_ADDRESS = new Set(['0.0.0.0/0', '::/0']);

/**
 * Why a policy allows every connection in one direction, or undefined. A rule
 * with no ports allows every port; with no peers (`from`/`to` absent or empty)
 * it allows every source or destination, so `ingress: [{}]` undoes the
 * policy. A peer of every address without exceptions, or of every pod in every
 * namespace, is as open for traffic inside the cluster.
 */
export function openRuleOf(
  policy: KubeObject,
  direction: Direction,
): string | undefined {
  const key = direction === 'Ingress' ? 'ingress' : 'egress';
  const peersKey = direction === 'Ingress' ? 'from' : 'to';
  const rules = (policy.spec as any)?.[key];
  if (!Array.isArray(rules)) return undefined;
  const where = `NetworkPolicy/${policy.metadata.name}`;
  for (const [i, rule] of rules.entries()) {
    if (rule === null || typeof rule !== 'object') continue;
    if (!isEmpty(rule.ports)) continue;
    const peers = rule[peersKey];
    if (isEmpty(peers)) {
      return `${where} has a rule (${key}[${i}]) with no ${peersKey} and no ports, which allows all ${direction.toLowerCase()}`;
    }
    if (!Array.isArray(peers)) continue;
    for (const peer of peers) {
      if (peer === null || typeof peer !== 'object') continue;
      const cidr = peer.ipBlock?.cidr;
      if (
        typeof cidr === 'string' &&
        EVERY_ADDRESS.has(cidr.trim()) &&
        isEmpty(peer.ipBlock?.except)
      ) {
        return `${where} allows ${cidr.trim()} on every port (${key}[${i}])`;
      }
      if (
        isEmptySelector(peer.namespaceSelector) &&
        (peer.podSelector === undefined || isEmptySelector(peer.podSelector))
      ) {
        return `${where} allows every pod in every namespace on every port (${key}[${i}])`;
      }
    }
  }
  return undefined;
}

const INTERNAL_LB_ANNOTATIONS: Record<string, string[]> = {
  'service.beta.kubernetes.io/aws-load-balancer-internal': [
    'true',
    '0.0.0.0/0',
  ],
  'service.beta.kubernetes.io/aws-load-balancer-scheme': ['internal'],
  'networking.gke.io/load-balancer-type': ['Internal'],
  'cloud.google.com/load-balancer-type': ['Internal'],
  'service.beta.kubernetes.io/azure-load-balancer-internal': ['true'],
};

function isInternalLoadBalancer(svc: KubeObject): boolean {
  const annotations = svc.metadata.annotations ?? {};
  return Object.entries(INTERNAL_LB_ANNOTATIONS).some(([k, values]) =>
    values.includes(annotations[k]),
  );
}

export const exposure: Check = {
  meta: {
    id: 'net.exposure',
    title: 'Exposure is deliberate and encrypted',
    domain: 'architecture',
    severity: 'medium',
    rationale:
      'NodePort and LoadBalancer Services and externalIPs open the service outside the cluster, bypassing the ingress layer where TLS, authentication and rate limits live; an Ingress without TLS sends traffic in clear text.',
    references: [
      'kube-score service-type',
      'Kubescape C-0044',
      'Polaris (ingress TLS)',
    ],
    remediation: `Keep Services \`ClusterIP\` and expose through an Ingress (or Gateway) with TLS.

\`\`\`yaml
apiVersion: v1
kind: Service
spec:
  type: ClusterIP
---
apiVersion: networking.k8s.io/v1
kind: Ingress
spec:
  tls:
    - hosts: ["shop.example.com"]
      secretName: shop-tls
  rules:
    - host: shop.example.com
\`\`\``,
  },
  objectKinds: ['Service', 'Ingress'],
  object: obj => {
    const spec = (obj.spec ?? {}) as Record<string, any>;
    if (obj.kind === 'Service') {
      const type = spec.type ?? 'ClusterIP';
      const externalIPs = Array.isArray(spec.externalIPs)
        ? spec.externalIPs
        : [];
      if (externalIPs.length > 0) {
        return [
          fail(`Has externalIPs ${externalIPs.join(', ')}.`, {
            field: 'spec.externalIPs',
            observed: show(externalIPs),
          }),
        ];
      }
      if (type === 'LoadBalancer') {
        return isInternalLoadBalancer(obj)
          ? [
              warn(
                'Internal LoadBalancer: reachable from the private network, outside the cluster.',
                { field: 'spec.type', observed: type },
              ),
            ]
          : [
              fail(
                'Public LoadBalancer: reachable from outside the cluster without the ingress layer.',
                { field: 'spec.type', observed: type },
              ),
            ];
      }
      if (type === 'NodePort') {
        return [
          fail("NodePort: reachable on every node's address.", {
            field: 'spec.type',
            observed: type,
          }),
        ];
      }
      return [
        pass(`${type} Service: reachable only inside the cluster.`, {
          field: 'spec.type',
          observed: type,
        }),
      ];
    }
    // Ingress: every host must be covered by a TLS entry.
    const tls = Array.isArray(spec.tls) ? spec.tls : [];
    const rules = Array.isArray(spec.rules) ? spec.rules : [];
    const hosts = rules
      .map((r: any) => r?.host)
      .filter((h: unknown): h is string => typeof h === 'string');
    const tlsHosts = new Set<string>(
      tls.flatMap((t: any) => (Array.isArray(t?.hosts) ? t.hosts : [])),
    );
    if (tls.length === 0) {
      return [
        fail('Ingress without TLS: traffic is served in clear text.', {
          field: 'spec.tls',
          observed: show(hosts),
        }),
      ];
    }
    const uncovered = hosts.filter((h: string) => !tlsHosts.has(h));
    if (uncovered.length > 0) {
      return [
        warn(`TLS does not cover ${uncovered.join(', ')}.`, {
          field: 'spec.tls',
          observed: show(uncovered),
        }),
      ];
    }
    return [
      pass('Every host is served over TLS.', {
        field: 'spec.tls',
        observed: show(hosts),
      }),
    ];
  },
};

export const automount: Check = {
  meta: {
    id: 'sa.automount',
    title: 'The API token is not mounted by default',
    domain: 'architecture',
    severity: 'medium',
    fix: {
      values: { automountServiceAccountToken: false },
      note: 'If the workload calls the Kubernetes API, mount a token for it alone with a projected volume instead.',
    },
    rationale:
      'Every pod gets a Kubernetes API token unless told otherwise. An attacker in the pod inherits whatever the service account can do; most applications never call the API.',
    references: ['Kubescape C-0034', 'kube-score (automount)', 'CIS 5.1.6'],
    remediation: `Turn off automounting on the service account or the pod; mount a projected token only in workloads that call the API.

\`\`\`yaml
apiVersion: v1
kind: ServiceAccount
metadata:
  name: checkout
automountServiceAccountToken: false
---
spec:
  template:
    spec:
      serviceAccountName: checkout
      automountServiceAccountToken: false
\`\`\``,
  },
  workload: (w, ctx) => {
    const spec = w.template.spec;
    const saName = serviceAccountName(w);
    const sa = ctx.index.get('ServiceAccount', w.namespace, saName);
    const field = `${w.template.specPath}.automountServiceAccountToken`;
    if (spec.automountServiceAccountToken === false) {
      return [
        pass('The pod does not mount a token.', { field, observed: 'false' }),
      ];
    }
    if (
      spec.automountServiceAccountToken === undefined &&
      sa?.automountServiceAccountToken === false
    ) {
      return [
        pass(`ServiceAccount ${saName} does not mount a token.`, {
          field: 'ServiceAccount.automountServiceAccountToken',
          observed: 'false',
        }),
      ];
    }
    // Kubernetes' own bindings (discovery, public info) reach every account
    // and are no reason to mount a token.
    const bindings = ctx.index
      .bindingsForServiceAccount(w.namespace, saName)
      .filter(b => !isBootstrapped(b));
    if (bindings.length > 0) {
      return [
        warn(
          `A token is mounted; ServiceAccount ${saName} has RBAC bindings, so the workload may call the API. Mount it only in the containers that need it.`,
          {
            field,
            observed: show(spec.automountServiceAccountToken),
          },
        ),
      ];
    }
    return [
      fail(
        `A token for ServiceAccount ${saName} is mounted but nothing uses RBAC with it.`,
        {
          field,
          observed: show(spec.automountServiceAccountToken),
        },
      ),
    ];
  },
};

export const dedicatedServiceAccount: Check = {
  meta: {
    id: 'sa.dedicated',
    title: 'A dedicated service account',
    domain: 'architecture',
    severity: 'medium',
    rationale:
      'Workloads sharing the `default` service account share every permission granted to it, and nobody can grant one of them more without granting all of them.',
    references: ['Kubescape C-0189', 'CIS 5.1.5'],
    remediation: `Create a ServiceAccount per workload and reference it.

\`\`\`yaml
apiVersion: v1
kind: ServiceAccount
metadata:
  name: checkout
automountServiceAccountToken: false
---
spec:
  template:
    spec:
      serviceAccountName: checkout
\`\`\``,
  },
  workload: (w, ctx) => {
    const name = serviceAccountName(w);
    const field = `${w.template.specPath}.serviceAccountName`;
    if (name === 'default') {
      return [
        fail("Uses the namespace's default service account.", {
          field,
          observed: name,
        }),
      ];
    }
    if (!ctx.index.get('ServiceAccount', w.namespace, name)) {
      return [
        warn(`ServiceAccount ${name} is not among the scanned objects.`, {
          field,
          observed: name,
        }),
      ];
    }
    return [
      pass(`Uses its own service account ${name}.`, { field, observed: name }),
    ];
  },
};

export const namespaceNotDefault: Check = {
  meta: {
    id: 'ns.not-default',
    title: 'Not in the default or kube-system namespace',
    domain: 'architecture',
    severity: 'low',
    rationale:
      'Namespaces are where RBAC, quotas and NetworkPolicies attach. Workloads in `default` share a boundary with everything dropped there; `kube-system` is for the control plane.',
    references: ['Kubescape C-0061', 'Polaris (namespace)'],
    remediation: `Deploy into the team's own namespace.

\`\`\`yaml
metadata:
  name: checkout
  namespace: payments
\`\`\``,
  },
  workload: w => {
    const field = 'metadata.namespace';
    return w.namespace === 'default' || w.namespace === 'kube-system'
      ? [fail(`Runs in ${w.namespace}.`, { field, observed: w.namespace })]
      : [
          pass(`Runs in its own namespace ${w.namespace}.`, {
            field,
            observed: w.namespace,
          }),
        ];
  },
};

export const networkChecks: Check[] = [
  policyCoverage,
  exposure,
  automount,
  dedicatedServiceAccount,
  namespaceNotDefault,
];
