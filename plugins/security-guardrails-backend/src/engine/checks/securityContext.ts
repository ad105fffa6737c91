/*
 * sc.*: what the pod and container security contexts allow. Container
 * settings override pod settings where a field exists at both levels.
 * Every container counts: init and ephemeral containers run on the same node.
 * This file holds privilege, user, filesystem and capabilities; host access
 * is in hostAccess.ts and the rest of the baseline profile in podSecurity.ts.
 */
import {
  Check,
  effective,
  fail,
  pass,
  show,
  warn,
} from '@internal/backstage-plugin-security-guardrails-node';
import { perContainer } from './containers';
import { hostNamespaces, hostPath, hostPort } from './hostAccess';
import { pssBaselineMisc, seccomp } from './podSecurity';

function normCap(cap: string): string {
  return String(cap).toUpperCase().replace(/^CAP_/, '');
}

export const privileged: Check = {
  meta: {
    id: 'sc.privileged',
    title: 'Containers do not run privileged',
    domain: 'implementation',
    severity: 'critical',
    fix: {
      values: { privileged: false },
      note: 'If the workload needs one kernel feature, add that capability alone.',
    },
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
    fix: { values: { allowPrivilegeEscalation: false } },
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
    fix: {
      values: { runAsNonRoot: true },
      note: 'The image must run as a non-root user (a numeric USER in its Dockerfile, or runAsUser), or the pod will not start.',
    },
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
    fix: {
      values: { readOnlyRootFilesystem: true },
      note: 'Mount an emptyDir where the process writes (/tmp, caches).',
    },
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
    fix: {
      values: { drop: ['ALL'] },
      note: 'Add back only the capabilities the process needs (e.g. NET_BIND_SERVICE).',
    },
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

export { hostNamespaces, hostPath, hostPort } from './hostAccess';
export { pssBaselineMisc, seccomp } from './podSecurity';

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
