/*
 * sc.*: what the pod and container security contexts allow. Container
 * settings override pod settings where a field exists at both levels.
 * Every container counts: init and ephemeral containers run on the same node.
 */
import {
  Check,
  effective,
  fail,
  Finding,
  pass,
  show,
  warn,
  Workload,
} from '@internal/backstage-plugin-security-guardrails-node';

function perContainer(
  workload: Workload,
  evaluate: (
    info: Workload['containers'][number],
  ) => Omit<Finding, 'container'>,
): Finding[] {
  return workload.containers.map(info => ({
    ...evaluate(info),
    container: info.container.name,
  }));
}

function normCap(cap: string): string {
  return String(cap).toUpperCase().replace(/^CAP_/, '');
}

export const privileged: Check = {
  meta: {
    id: 'sc.privileged',
    title: 'Containers do not run privileged',
    domain: 'implementation',
    severity: 'critical',
    rationale:
      "A privileged container has every capability and the host's devices: escaping to the node is one command away, and from the node, every pod on it.",
    references: [
      'PSS baseline: Privileged Containers',
      'Polaris privilegeEscalationAllowed',
      'KSV017',
    ],
    remediation: `Remove \`privileged: true\`. If the workload needs one kernel feature, grant that capability alone, and move node-level agents to a dedicated, locked-down namespace.

\`\`\`yaml
spec:
  template:
    spec:
      containers:
        - name: app
          securityContext:
            privileged: false
            allowPrivilegeEscalation: false
            capabilities:
              drop: ["ALL"]
\`\`\``,
  },
  workload: w =>
    perContainer(w, ({ container, path }) => {
      const field = `${path}.securityContext.privileged`;
      return container.securityContext?.privileged === true
        ? fail('Runs privileged: all capabilities and host devices.', {
            field,
            observed: 'true',
          })
        : pass('Not privileged.', {
            field,
            observed: show(container.securityContext?.privileged),
          });
    }),
};

export const privilegeEscalation: Check = {
  meta: {
    id: 'sc.priv-escalation',
    title: 'Privilege escalation is disabled',
    domain: 'implementation',
    severity: 'high',
    rationale:
      'Unless `allowPrivilegeEscalation` is `false`, a process can gain more privileges than its parent through setuid binaries or file capabilities. It defaults to true.',
    references: [
      'PSS restricted: Privilege Escalation',
      'Polaris privilegeEscalationAllowed',
      'KSV001',
    ],
    remediation: `Set \`allowPrivilegeEscalation: false\` on every container (it defaults to \`true\`).

\`\`\`yaml
containers:
  - name: app
    securityContext:
      allowPrivilegeEscalation: false
\`\`\``,
  },
  workload: w =>
    perContainer(w, ({ container, path }) => {
      const value = container.securityContext?.allowPrivilegeEscalation;
      const field = `${path}.securityContext.allowPrivilegeEscalation`;
      if (value === false) {
        return pass('Privilege escalation is disabled.', {
          field,
          observed: 'false',
        });
      }
      return fail(
        value === true
          ? 'Privilege escalation is explicitly allowed.'
          : 'allowPrivilegeEscalation is not set, so it defaults to true.',
        { field, observed: show(value) },
      );
    }),
};

export const nonRoot: Check = {
  meta: {
    id: 'sc.non-root',
    title: 'Containers run as a non-root user',
    domain: 'implementation',
    severity: 'high',
    rationale:
      'Root in a container is root on the node as far as the kernel is concerned; a container breakout or a writable host mount then has full power.',
    references: [
      'PSS restricted: Running as Non-root',
      'Polaris runAsRootAllowed',
      'KSV012',
    ],
    remediation: `Run as an unprivileged user: set \`runAsNonRoot: true\` and a non-zero \`runAsUser\` on the pod (containers inherit it) or on each container. The image must work as that user.

\`\`\`yaml
spec:
  securityContext:
    runAsNonRoot: true
    runAsUser: 10001
    runAsGroup: 10001
\`\`\``,
  },
  workload: w =>
    perContainer(w, ({ container, path }) => {
      const pod = w.template.spec;
      const runAsUser = effective(container, pod, 'runAsUser');
      const runAsNonRoot = effective(container, pod, 'runAsNonRoot');
      const field = `${path}.securityContext.runAsNonRoot`;
      const observed = `runAsNonRoot=${show(runAsNonRoot)}, runAsUser=${show(
        runAsUser,
      )}`;
      if (runAsUser === 0) {
        return fail('Runs as root: runAsUser is 0.', {
          field: `${path}.securityContext.runAsUser`,
          observed,
        });
      }
      if (typeof runAsUser === 'number' && runAsUser >= 1) {
        return pass(`Runs as user ${runAsUser}.`, { field, observed });
      }
      if (runAsNonRoot === true) {
        return pass(
          'runAsNonRoot is true: the kubelet refuses to start it as root.',
          {
            field,
            observed,
          },
        );
      }
      return fail(
        "Neither runAsNonRoot nor a non-zero runAsUser is set: the image's user (often root) is used.",
        {
          field,
          observed,
        },
      );
    }),
};

export const readOnlyRootFs: Check = {
  meta: {
    id: 'sc.readonly-rootfs',
    title: 'Root filesystem is read-only',
    domain: 'implementation',
    severity: 'medium',
    rationale:
      'A writable root filesystem lets an attacker drop tools and persist changes inside the container; immutable containers are also easier to reason about.',
    references: [
      'Polaris notReadOnlyRootFilesystem',
      'kube-score container-security-context-readonlyrootfilesystem',
      'KSV014',
    ],
    remediation: `Set \`readOnlyRootFilesystem: true\` and mount an \`emptyDir\` where the process must write.

\`\`\`yaml
containers:
  - name: app
    securityContext:
      readOnlyRootFilesystem: true
    volumeMounts:
      - name: tmp
        mountPath: /tmp
volumes:
  - name: tmp
    emptyDir: {}
\`\`\``,
  },
  workload: w =>
    perContainer(w, ({ container, path }) => {
      const value = container.securityContext?.readOnlyRootFilesystem;
      const field = `${path}.securityContext.readOnlyRootFilesystem`;
      return value === true
        ? pass('Root filesystem is read-only.', { field, observed: 'true' })
        : fail('Root filesystem is writable.', {
            field,
            observed: show(value),
          });
    }),
};

const ALLOWED_ADDED_CAPS = new Set(['NET_BIND_SERVICE']);

/**
 * The capabilities containerd (and Docker) grant a container by default;
 * CRI-O's default set is a subset of these.
 */
export const RUNTIME_DEFAULT_CAPS = [
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'NET_RAW',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
];

export const capsDropAll: Check = {
  meta: {
    id: 'sc.caps-drop-all',
    title: 'All capabilities are dropped',
    domain: 'implementation',
    severity: 'medium',
    rationale:
      'Container runtimes grant a default set of Linux capabilities (NET_RAW, CHOWN, SETUID...). Dropping ALL and adding back only NET_BIND_SERVICE when needed is the restricted profile.',
    references: [
      'PSS restricted: Capabilities',
      'Polaris insecureCapabilities',
      'KSV003',
    ],
    remediation: `Drop every capability; add back only \`NET_BIND_SERVICE\`, and only to bind a port below 1024.

\`\`\`yaml
containers:
  - name: app
    securityContext:
      capabilities:
        drop: ["ALL"]
\`\`\``,
  },
  workload: w =>
    perContainer(w, ({ container, path }) => {
      const caps = container.securityContext?.capabilities;
      const drop = Array.isArray(caps?.drop) ? caps!.drop.map(normCap) : [];
      const add = Array.isArray(caps?.add) ? caps!.add.map(normCap) : [];
      const field = `${path}.securityContext.capabilities`;
      const observed = `drop=${show(drop)}, add=${show(add)}`;
      const extra = add.filter(c => !ALLOWED_ADDED_CAPS.has(c));
      if (!drop.includes('ALL')) {
        const kept = RUNTIME_DEFAULT_CAPS.filter(c => !drop.includes(c));
        const added = extra.length
          ? ` and ${extra.join(', ')} ${extra.length > 1 ? 'are' : 'is'} added`
          : '';
        if (drop.length === 0) {
          return fail(
            `Capabilities are not dropped: the runtime's default set applies${added}.`,
            { field: `${field}.drop`, observed },
          );
        }
        if (kept.length > 0) {
          return fail(
            `ALL is not dropped: ${drop.join(', ')} ${
              drop.length > 1 ? 'are' : 'is'
            } dropped, the runtime's defaults ${kept.join(
              ', ',
            )} remain${added}.`,
            { field: `${field}.drop`, observed },
          );
        }
        const message = `Every capability of the runtime's default set is dropped by name, but not ALL${added}: the restricted Pod Security Standard admits only drop ["ALL"], and a runtime configured with a wider default set keeps the rest.`;
        return extra.length
          ? fail(message, { field: `${field}.add`, observed })
          : warn(message, { field: `${field}.drop`, observed });
      }
      if (extra.length > 0) {
        return fail(
          `ALL is dropped but ${extra.join(', ')} ${
            extra.length > 1 ? 'are' : 'is'
          } added back.`,
          {
            field: `${field}.add`,
            observed,
          },
        );
      }
      return pass('ALL capabilities are dropped.', { field, observed });
    }),
};

export const DANGEROUS_CAPS = new Set([
  'ALL',
  'SYS_ADMIN',
  'NET_ADMIN',
  'NET_RAW',
  'SYS_MODULE',
  'SYS_PTRACE',
  'SYS_RAWIO',
  'SYS_BOOT',
  'SYS_TIME',
  'DAC_READ_SEARCH',
  'BPF',
  'PERFMON',
  'MAC_ADMIN',
  'MAC_OVERRIDE',
]);

export const dangerousCaps: Check = {
  meta: {
    id: 'sc.dangerous-caps',
    title: 'No dangerous capabilities are added',
    domain: 'implementation',
    severity: 'high',
    rationale:
      'SYS_ADMIN, NET_ADMIN, SYS_MODULE, SYS_PTRACE and similar capabilities give kernel-level powers that make container escapes and network tampering easy.',
    references: [
      'PSS baseline: Capabilities',
      'Polaris dangerousCapabilities',
      'KSV005',
      'KSV022',
    ],
    remediation: `Remove the capability from \`capabilities.add\`. If a node agent truly needs it, run it in a dedicated namespace with its own review, not in an application workload.

\`\`\`yaml
containers:
  - name: app
    securityContext:
      capabilities:
        drop: ["ALL"]
        # add: ["NET_BIND_SERVICE"]   # the only one the restricted profile allows
\`\`\``,
  },
  workload: w =>
    perContainer(w, ({ container, path }) => {
      const add = container.securityContext?.capabilities?.add;
      const added = Array.isArray(add) ? add.map(normCap) : [];
      const bad = added.filter(c => DANGEROUS_CAPS.has(c));
      const field = `${path}.securityContext.capabilities.add`;
      return bad.length > 0
        ? fail(`Adds dangerous capabilities: ${bad.join(', ')}.`, {
            field,
            observed: show(added),
          })
        : pass('No dangerous capability is added.', {
            field,
            observed: show(added),
          });
    }),
};

export const hostNamespaces: Check = {
  meta: {
    id: 'sc.host-namespaces',
    title: 'Host namespaces are not shared',
    domain: 'implementation',
    severity: 'high',
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

export const seccomp: Check = {
  meta: {
    id: 'sc.seccomp',
    title: 'A seccomp profile is set',
    domain: 'implementation',
    severity: 'medium',
    rationale:
      'Seccomp filters the system calls a container can make; RuntimeDefault blocks dozens of rarely needed, often exploited calls at almost no cost. Unconfined turns it off.',
    references: [
      'PSS restricted: Seccomp',
      'kube-score pod-seccomp-profile',
      'KSV030',
    ],
    remediation: `Set \`seccompProfile.type: RuntimeDefault\` on the pod (or \`Localhost\` with a reviewed profile). Never \`Unconfined\`.

\`\`\`yaml
spec:
  template:
    spec:
      securityContext:
        seccompProfile:
          type: RuntimeDefault
\`\`\``,
  },
  workload: w =>
    perContainer(w, ({ container, path }) => {
      const profile = effective(container, w.template.spec, 'seccompProfile');
      const type = profile?.type;
      const field = container.securityContext?.seccompProfile
        ? `${path}.securityContext.seccompProfile.type`
        : `${w.template.specPath}.securityContext.seccompProfile.type`;
      if (type === 'RuntimeDefault' || type === 'Localhost') {
        return pass(`Seccomp profile ${type}.`, { field, observed: type });
      }
      if (type === 'Unconfined') {
        return fail('Seccomp is explicitly Unconfined.', {
          field,
          observed: type,
        });
      }
      return fail(
        'No seccomp profile: the container runs Unconfined on most runtimes.',
        {
          field,
          observed: show(type),
        },
      );
    }),
};

const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
]);
const SAFE_SELINUX_TYPES = new Set([
  '',
  'container_t',
  'container_init_t',
  'container_kvm_t',
  'container_engine_t',
]);

export const pssBaselineMisc: Check = {
  meta: {
    id: 'sc.pss-baseline-misc',
    title: 'Other Pod Security Standards baseline controls hold',
    domain: 'implementation',
    severity: 'medium',
    rationale:
      'The baseline profile also forbids unmasked /proc, unsafe sysctls, Windows host processes, and turning off AppArmor or choosing custom SELinux users and roles: each one loosens isolation from the node.',
    references: [
      'PSS baseline: /proc Mount Type, Sysctls, HostProcess, AppArmor, SELinux',
    ],
    remediation: `Remove the offending fields: \`procMount\` other than \`Default\`, sysctls outside the safe set, \`windowsOptions.hostProcess: true\`, \`appArmorProfile.type: Unconfined\`, and SELinux \`user\`/\`role\` or a custom \`type\`.

\`\`\`yaml
spec:
  securityContext:
    sysctls:
      - name: net.ipv4.ip_local_port_range   # only the safe set
        value: "1024 65535"
    appArmorProfile:
      type: RuntimeDefault
\`\`\``,
  },
  workload: w => {
    const spec = w.template.spec;
    const specPath = w.template.specPath;
    const problems: Array<{ field: string; text: string }> = [];
    const sysctls = Array.isArray(spec.securityContext?.sysctls)
      ? spec.securityContext!.sysctls!
      : [];
    for (const s of sysctls) {
      if (s && !SAFE_SYSCTLS.has(s.name)) {
        problems.push({
          field: `${specPath}.securityContext.sysctls`,
          text: `unsafe sysctl ${s.name}`,
        });
      }
    }
    const podLevel = [
      { sc: spec.securityContext, path: `${specPath}.securityContext` },
      ...w.containers.map(c => ({
        sc: c.container.securityContext,
        path: `${c.path}.securityContext`,
      })),
    ];
    for (const { sc, path } of podLevel) {
      if (!sc) continue;
      if (sc.procMount !== undefined && sc.procMount !== 'Default') {
        problems.push({
          field: `${path}.procMount`,
          text: `procMount ${sc.procMount}`,
        });
      }
      if (sc.windowsOptions?.hostProcess === true) {
        problems.push({
          field: `${path}.windowsOptions.hostProcess`,
          text: 'Windows hostProcess',
        });
      }
      if (sc.appArmorProfile?.type === 'Unconfined') {
        problems.push({
          field: `${path}.appArmorProfile.type`,
          text: 'AppArmor Unconfined',
        });
      }
      const se = sc.seLinuxOptions;
      if (se) {
        if (se.type !== undefined && !SAFE_SELINUX_TYPES.has(se.type)) {
          problems.push({
            field: `${path}.seLinuxOptions.type`,
            text: `SELinux type ${se.type}`,
          });
        }
        if (se.user)
          problems.push({
            field: `${path}.seLinuxOptions.user`,
            text: 'custom SELinux user',
          });
        if (se.role)
          problems.push({
            field: `${path}.seLinuxOptions.role`,
            text: 'custom SELinux role',
          });
      }
    }
    const annotations = w.template.metadata.annotations ?? {};
    for (const [k, v] of Object.entries(annotations)) {
      if (
        k.startsWith('container.apparmor.security.beta.kubernetes.io/') &&
        v === 'unconfined'
      ) {
        problems.push({
          field: `metadata.annotations[${k}]`,
          text: 'AppArmor unconfined (annotation)',
        });
      }
    }
    if (problems.length === 0) {
      return [
        pass(
          'No baseline violation in procMount, sysctls, hostProcess, AppArmor or SELinux.',
          { field: specPath },
        ),
      ];
    }
    return [
      fail(`Loosens isolation: ${problems.map(p => p.text).join('; ')}.`, {
        field: problems[0].field,
        observed: show(problems.map(p => p.text)),
      }),
    ];
  },
};

export const securityContextChecks: Check[] = [
  privileged,
  privilegeEscalation,
  nonRoot,
  readOnlyRootFs,
  capsDropAll,
  dangerousCaps,
  hostNamespaces,
  hostPort,
  hostPath,
  seccomp,
  pssBaselineMisc,
];
