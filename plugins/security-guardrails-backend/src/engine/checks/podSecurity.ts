/*
 * sc.seccomp and the rest of the Pod Security Standards' baseline profile
 * (sysctls, SELinux, AppArmor, /proc mount, Windows host process).
 */
import {
  Check,
  effective,
  fail,
  pass,
  show,
} from '@internal/backstage-plugin-security-guardrails-node';
import { perContainer } from './containers';

export const seccomp: Check = {
  meta: {
    id: 'sc.seccomp',
    title: 'A seccomp profile is set',
    domain: 'implementation',
    severity: 'medium',
    fix: { values: { type: 'RuntimeDefault' } },
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
