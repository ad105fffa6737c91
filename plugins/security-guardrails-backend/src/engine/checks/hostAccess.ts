/*
 * sc.host-*: what a workload reaches on its node: the host's namespaces,
 * ports and filesystem (node secrets and runtime sockets above all).
 */
import {
  Check,
  fail,
  pass,
  show,
} from '@internal/backstage-plugin-security-guardrails-node';
import { perContainer } from './containers';

export const hostNamespaces: Check = {
  meta: {
    id: 'sc.host-namespaces',
    title: 'Host namespaces are not shared',
    domain: 'implementation',
    severity: 'high',
    fix: { values: { hostNetwork: false, hostPID: false, hostIPC: false } },
    rationale:
      "hostNetwork, hostPID and hostIPC put the pod in the node's network, process or IPC namespace: it can sniff node traffic, see and signal every process, and bypass NetworkPolicies.",
    references: [
      'PSS baseline: Host Namespaces',
      'Polaris hostNetworkSet/hostPIDSet/hostIPCSet',
      'KSV008',
      'KSV009',
      'KSV010',
    ],
    remediation: `Remove \`hostNetwork\`, \`hostPID\` and \`hostIPC\` (they default to false). Expose ports through a Service instead of the node's network.

\`\`\`yaml
spec:
  template:
    spec:
      hostNetwork: false
      hostPID: false
      hostIPC: false
\`\`\``,
  },
  workload: w => {
    const spec = w.template.spec;
    const shared = (['hostNetwork', 'hostPID', 'hostIPC'] as const).filter(
      k => spec[k] === true,
    );
    const field = w.template.specPath;
    return shared.length > 0
      ? [
          fail(`Shares the node's ${shared.join(', ')}.`, {
            field: `${field}.${shared[0]}`,
            observed: shared.map(s => `${s}=true`).join(', '),
          }),
        ]
      : [pass('Uses its own network, PID and IPC namespaces.', { field })];
  },
};

export const hostPort: Check = {
  meta: {
    id: 'sc.host-port',
    title: 'No host ports',
    domain: 'implementation',
    severity: 'medium',
    rationale:
      "A hostPort binds the container directly on the node's address, bypassing Services and NetworkPolicies and limiting scheduling.",
    references: ['PSS baseline: HostPorts', 'Polaris hostPortSet', 'KSV024'],
    remediation: `Remove \`hostPort\` and expose the port through a Service.

\`\`\`yaml
containers:
  - name: app
    ports:
      - containerPort: 8080   # no hostPort
---
apiVersion: v1
kind: Service
spec:
  type: ClusterIP
  ports:
    - port: 80
      targetPort: 8080
\`\`\``,
  },
  workload: w =>
    perContainer(w, ({ container, path }) => {
      const ports = Array.isArray(container.ports) ? container.ports : [];
      const withHost = ports.filter(
        p => p && typeof p.hostPort === 'number' && p.hostPort !== 0,
      );
      const field = `${path}.ports`;
      return withHost.length > 0
        ? fail(`Binds host port ${withHost.map(p => p.hostPort).join(', ')}.`, {
            field: `${field}[].hostPort`,
            observed: show(withHost.map(p => p.hostPort)),
          })
        : pass('No host port.', { field });
    }),
};

const RUNTIME_SOCKETS = [
  '/var/run/docker.sock',
  '/run/docker.sock',
  '/var/run/containerd/containerd.sock',
  '/run/containerd/containerd.sock',
  '/var/run/crio/crio.sock',
  '/run/crio/crio.sock',
  '/var/run/cri-dockerd.sock',
  '/run/k3s/containerd/containerd.sock',
];

/** Paths on a node that hold its secrets or control it, and what they hold. */
const NODE_SECRETS: Array<[string, string]> = [
  ['/etc/kubernetes', 'node and control-plane credentials'],
  ['/var/lib/kubelet', "kubelet credentials and every pod's volumes"],
  ['/var/lib/etcd', "the cluster's etcd data"],
  ['/root', "root's home"],
  ['/home', 'home directories'],
  ['/proc', "the host's processes"],
  ['/sys', "the host's kernel interfaces"],
  ['/var/lib/docker', 'container runtime state'],
  ['/var/lib/containerd', 'container runtime state'],
  ...RUNTIME_SOCKETS.map((p): [string, string] => [
    p,
    'container runtime socket',
  ]),
];

/** `/a//b/./c/../` → `/a/b`; lexical, like the kubelet's own cleaning. */
function normalizeHostPath(p: string): string {
  const parts: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}

const isUnder = (p: string, dir: string) =>
  p === dir || p.startsWith(`${dir}/`) || dir === '/';

function mountText(d: { used: boolean; rw: boolean }): string {
  if (!d.used) return 'not mounted';
  return d.rw ? 'writable' : 'read-only';
}

/**
 * What node secrets a host path exposes: those it is inside of, or those
 * inside it (mounting `/var` mounts `/var/lib/kubelet`).
 */
function nodeSecretsUnder(p: string): string | undefined {
  const hits = new Set<string>();
  for (const [secret, what] of NODE_SECRETS) {
    if (isUnder(p, secret)) return what;
    if (isUnder(secret, p)) hits.add(what);
  }
  if (hits.size === 0) return undefined;
  return `contains ${[...hits].join(', ')}`;
}

export const hostPath: Check = {
  meta: {
    id: 'sc.host-path',
    title: 'No hostPath volumes',
    domain: 'implementation',
    severity: 'high',
    severityRule:
      "Critical when a volume reaches the node's secrets (even read-only) or mounts / or /etc writable.",
    rationale:
      "hostPath volumes expose the node's filesystem. A writable one, or any one that reaches the node's secrets (kubelet and etcd credentials, /proc, /sys, home directories, the container runtime's socket), even read-only, is a direct path to taking over the node.",
    references: [
      'PSS baseline: HostPath Volumes',
      'Polaris hostPathSet',
      'KSV023',
    ],
    remediation: `Replace hostPath volumes with \`emptyDir\`, a PersistentVolumeClaim, a ConfigMap or a projected volume. Never mount the container runtime's socket into an application.

\`\`\`yaml
volumes:
  - name: cache
    emptyDir: {}
\`\`\``,
  },
  workload: w => {
    const volumes = Array.isArray(w.template.spec.volumes)
      ? w.template.spec.volumes
      : [];
    const host = volumes.filter(v => v && v.hostPath);
    const field = `${w.template.specPath}.volumes`;
    if (host.length === 0) {
      return [pass('No hostPath volume.', { field })];
    }
    const writable = new Set<string>();
    const mounted = new Set<string>();
    for (const { container } of w.containers) {
      for (const m of Array.isArray(container.volumeMounts)
        ? container.volumeMounts
        : []) {
        if (!m) continue;
        mounted.add(m.name);
        if (m.readOnly !== true) writable.add(m.name);
      }
    }
    const descriptions = host.map(v => {
      const raw = v.hostPath?.path;
      const p = typeof raw === 'string' && raw ? normalizeHostPath(raw) : '?';
      return {
        name: v.name,
        path: p,
        holds: p === '?' ? undefined : nodeSecretsUnder(p),
        rw: writable.has(v.name),
        used: mounted.has(v.name),
      };
    });
    // Reading node secrets is as bad as writing them: kubelet and etcd
    // credentials, every pod's projected tokens and the runtime socket each
    // lead to the node and the cluster. Writing /etc (or / itself) is too.
    const worst = descriptions.some(
      d =>
        d.holds !== undefined ||
        (d.rw && (d.path === '/' || isUnder(d.path, '/etc'))),
    );
    const text = descriptions
      .map(d => `${d.path}${d.holds ? ` (${d.holds})` : ''} ${mountText(d)}`)
      .join(', ');
    return [
      fail(
        `${
          descriptions.some(d => d.used)
            ? "Mounts the node's filesystem"
            : 'Declares hostPath volumes no container mounts (Pod Security baseline forbids them all the same)'
        }: ${text}.`,
        {
          field: `${field}[${descriptions[0].name}].hostPath`,
          observed: show(descriptions.map(d => d.path)),
          severity: worst ? 'critical' : 'high',
        },
      ),
    ];
  },
};
