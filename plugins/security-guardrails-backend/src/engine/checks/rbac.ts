/*
 * rbac.*: what a workload's service account can do, and what custom roles
 * grant wherever they are bound. Built-in roles (`system:*`, cluster-admin,
 * admin, edit, view) are not findings by themselves; binding them to a
 * workload is.
 */
import {
  Check,
  CheckContext,
  CheckMeta,
  fail,
  Finding,
  KubeObject,
  pass,
  show,
  warn,
  Workload,
} from '@internal/backstage-plugin-security-guardrails-node';
import {
  describeRule,
  escalationIn,
  EXEC_ATTACH,
  hasWildcard,
  isAllWildcardRule,
  isBuiltinClusterRole,
  PolicyRule,
  roleRefOf,
  ruleGrants,
  SECRET_READ,
  subjectsOf,
} from '../rbac';

interface HeldRules {
  binding: KubeObject;
  roleName: string;
  rules: PolicyRule[];
}

function serviceAccountName(w: Workload): string {
  const spec = w.template.spec;
  return spec.serviceAccountName || spec.serviceAccount || 'default';
}

function heldRules(w: Workload, ctx: CheckContext): HeldRules[] {
  const sa = serviceAccountName(w);
  return ctx.index.bindingsForServiceAccount(w.namespace, sa).map(binding => ({
    binding,
    roleName: `${roleRefOf(binding)?.kind ?? '?'}/${
      roleRefOf(binding)?.name ?? '?'
    }`,
    rules: ctx.index.rulesOfBinding(binding),
  }));
}

function isCustomRole(role: KubeObject): boolean {
  return !(
    role.kind === 'ClusterRole' && isBuiltinClusterRole(role.metadata.name)
  );
}

/** What a rule grants that the check is about; `warnOnly` when it is limited (e.g. by resourceNames). */
type Hit = string | { text: string; warnOnly: true };
type RulePredicate = (rule: PolicyRule) => Hit | undefined;

function verdict(
  hits: Array<{ text: string; warnOnly: boolean }>,
  prefix: string,
  field: string,
): Finding[] {
  const failing = hits.filter(h => !h.warnOnly).map(h => h.text);
  const limited = hits.filter(h => h.warnOnly).map(h => h.text);
  if (failing.length > 0) {
    return [
      fail(`${prefix}: ${[...failing, ...limited].join('; ')}.`, {
        field,
        observed: show(failing),
      }),
    ];
  }
  return [
    warn(`${prefix}, limited to named objects: ${limited.join('; ')}.`, {
      field,
      observed: show(limited),
    }),
  ];
}

function toHit(hit: Hit): { text: string; warnOnly: boolean } {
  return typeof hit === 'string'
    ? { text: hit, warnOnly: false }
    : { text: hit.text, warnOnly: true };
}

/**
 * Builds a check that looks for a rule property at both levels: in the rules
 * a workload's service account holds, and in custom roles themselves.
 */
function rbacCheck(
  meta: CheckMeta,
  predicate: RulePredicate,
  what: string,
): Check {
  return {
    meta,
    workload: (w, ctx) => {
      const sa = serviceAccountName(w);
      const held = heldRules(w, ctx);
      const hits: Array<{ text: string; warnOnly: boolean }> = [];
      for (const h of held) {
        for (const rule of h.rules) {
          const hit = predicate(rule);
          if (hit) {
            const { text, warnOnly } = toHit(hit);
            hits.push({
              text: `${h.roleName} via ${h.binding.kind}/${h.binding.metadata.name}: ${text}`,
              warnOnly,
            });
          }
        }
      }
      const field = `${w.template.specPath}.serviceAccountName`;
      if (hits.length > 0) {
        return verdict(hits, `ServiceAccount ${sa} ${what}`, field);
      }
      return [
        pass(
          held.length === 0
            ? `ServiceAccount ${sa} has no RBAC bindings.`
            : `ServiceAccount ${sa}'s roles (${held
                .map(h => h.roleName)
                .join(', ')}) do not grant this.`,
          { field, observed: sa },
        ),
      ];
    },
    objectKinds: ['Role', 'ClusterRole'],
    object: (role, ctx) => {
      if (!isCustomRole(role)) return [];
      const rules = ctx.index.rulesOfRole(role);
      const hits = rules
        .map(predicate)
        .filter((x): x is Hit => !!x)
        .map(toHit);
      return hits.length > 0
        ? verdict(hits, `This role ${what} wherever it is bound`, 'rules')
        : [pass(`This role does not grant this.`, { field: 'rules' })];
    },
  };
}

const clusterAdminMeta: CheckMeta = {
  id: 'rbac.cluster-admin',
  title: 'No cluster-admin for workloads',
  domain: 'architecture',
  severity: 'critical',
  rationale:
    'A workload bound to cluster-admin, or to a role granting every verb on every resource, turns any bug in it into full control of the cluster.',
  references: ['Kubescape C-0035', 'KSV111', 'CIS 5.1.1'],
  remediation: `Bind the service account to a namespaced Role with exactly the verbs and resources the workload uses.

\`\`\`yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: checkout
  namespace: payments
rules:
  - apiGroups: [""]
    resources: ["configmaps"]
    resourceNames: ["checkout-config"]
    verbs: ["get", "watch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: checkout
  namespace: payments
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: checkout
subjects:
  - kind: ServiceAccount
    name: checkout
    namespace: payments
\`\`\``,
};

const clusterAdminBase = rbacCheck(
  clusterAdminMeta,
  rule =>
    isAllWildcardRule(rule) ? 'every verb on every resource' : undefined,
  'holds cluster-admin power',
);

export const clusterAdmin: Check = {
  ...clusterAdminBase,
  workload: (w, ctx) => {
    const sa = serviceAccountName(w);
    const direct = ctx.index
      .bindingsForServiceAccount(w.namespace, sa)
      .filter(
        b =>
          roleRefOf(b)?.kind === 'ClusterRole' &&
          roleRefOf(b)?.name === 'cluster-admin',
      );
    if (direct.length > 0) {
      const names = direct.map(b => `${b.kind}/${b.metadata.name}`);
      return [
        fail(
          `ServiceAccount ${sa} is bound to cluster-admin by ${names.join(
            ', ',
          )}.`,
          {
            field: `${w.template.specPath}.serviceAccountName`,
            observed: show(names),
          },
        ),
      ];
    }
    return clusterAdminBase.workload!(w, ctx);
  },
  objectKinds: ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'],
  object: (obj, ctx) => {
    if (obj.kind === 'Role' || obj.kind === 'ClusterRole') {
      return clusterAdminBase.object!(obj, ctx);
    }
    // Bindings that give a service account cluster-admin, whether or not a workload in the state uses it.
    if (obj.metadata.name.startsWith('system:')) return [];
    const ref = roleRefOf(obj);
    const sas = subjectsOf(obj).filter(s => s.kind === 'ServiceAccount');
    if (!ref || sas.length === 0) return [];
    const rules = ctx.index.rulesOfBinding(obj);
    const isAdmin =
      (ref.kind === 'ClusterRole' && ref.name === 'cluster-admin') ||
      rules.some(isAllWildcardRule);
    const names = sas.map(
      s => `${s.namespace ?? obj.metadata.namespace ?? ''}/${s.name}`,
    );
    return isAdmin
      ? [
          fail(
            `Binds ${
              ref.name
            } (cluster-admin power) to ServiceAccounts ${names.join(', ')}.`,
            { field: 'roleRef', observed: show(ref.name) },
          ),
        ]
      : [
          pass(`Binds ${ref.kind} ${ref.name}, not cluster-admin.`, {
            field: 'roleRef',
            observed: show(ref.name),
          }),
        ];
  },
};

export const wildcard = rbacCheck(
  {
    id: 'rbac.wildcard',
    title: 'No wildcard verbs or resources',
    domain: 'architecture',
    severity: 'high',
    rationale:
      '`*` grants everything that exists today and everything added later, including new CRDs and subresources; least privilege means naming verbs and resources.',
    references: ['Kubescape C-0187', 'KSV044', 'KSV045', 'KSV046'],
    remediation: `Replace \`*\` with the verbs and resources the workload uses (read them from audit logs with \`audit2rbac\`).

\`\`\`yaml
rules:
  - apiGroups: ["apps"]
    resources: ["deployments"]
    verbs: ["get", "list", "watch"]
\`\`\``,
  },
  rule => {
    const w = hasWildcard(rule);
    return w ? `wildcard ${w} (${describeRule(rule)})` : undefined;
  },
  'is granted wildcards',
);

/** Reading named Secrets with `get` only is least privilege; list/watch or unnamed is not. */
const readsSecrets: RulePredicate = rule => {
  if (!ruleGrants(rule, SECRET_READ)) return undefined;
  const names = Array.isArray(rule.resourceNames) ? rule.resourceNames : [];
  const verbs = Array.isArray(rule.verbs) ? rule.verbs : [];
  const namedGetOnly =
    names.length > 0 &&
    !verbs.some(v => v === 'list' || v === 'watch' || v === '*');
  return namedGetOnly ? undefined : `reads Secrets (${describeRule(rule)})`;
};

export const secretsRead = rbacCheck(
  {
    id: 'rbac.secrets-read',
    title: 'Cannot read Secrets',
    domain: 'architecture',
    severity: 'high',
    rationale:
      'get/list/watch on Secrets reads every credential in scope; `list` alone returns their contents. A compromised workload with it can pivot to databases, clouds and other services.',
    references: ['Kubescape C-0015', 'KSV041', 'CIS 5.1.2'],
    remediation: `Mount the one Secret the workload needs as a volume or env var instead of reading Secrets through the API; if it must, restrict by \`resourceNames\` and use \`get\` only.

\`\`\`yaml
rules:
  - apiGroups: [""]
    resources: ["secrets"]
    resourceNames: ["checkout-tls"]
    verbs: ["get"]
\`\`\``,
  },
  readsSecrets,
  'can read Secrets',
);

export const execAttach = rbacCheck(
  {
    id: 'rbac.exec-attach',
    title: 'Cannot exec or attach into pods',
    domain: 'architecture',
    severity: 'high',
    rationale:
      'pods/exec and pods/attach run commands in other pods, with their service accounts and secrets: a lateral-movement primitive.',
    references: ['Kubescape C-0002', 'KSV053'],
    remediation: `Remove \`pods/exec\` and \`pods/attach\`. For debugging, request temporary access through Security Guardrails instead of granting it permanently.

\`\`\`yaml
rules:
  - apiGroups: [""]
    resources: ["pods", "pods/log"]
    verbs: ["get", "list", "watch"]
\`\`\``,
  },
  rule =>
    ruleGrants(rule, EXEC_ATTACH)
      ? `exec/attach (${describeRule(rule)})`
      : undefined,
  'can exec or attach into pods',
);

export const escalate = rbacCheck(
  {
    id: 'rbac.escalate',
    title: 'Cannot escalate, bind or impersonate',
    domain: 'architecture',
    severity: 'critical',
    rationale:
      '`escalate` and `bind` let a holder create roles and bindings beyond its own rights; `impersonate` lets it act as any user, group or service account. Each is a path to cluster-admin.',
    references: [
      'Kubescape C-0043 (escalate/bind/impersonate)',
      'KSV047',
      'KSV048',
      'CIS 5.1.8',
    ],
    remediation: `Remove \`escalate\`, \`bind\` and \`impersonate\` (and \`*\` verbs on roles, bindings, users, groups and service accounts). Controllers that must bind roles should be limited with \`resourceNames\` to the roles they hand out.

\`\`\`yaml
rules:
  - apiGroups: ["rbac.authorization.k8s.io"]
    resources: ["clusterroles"]
    verbs: ["bind"]
    resourceNames: ["view"]   # only what it may hand out
\`\`\``,
  },
  rule => {
    const verb = escalationIn(rule);
    if (!verb) return undefined;
    const text = `${verb} (${describeRule(rule)})`;
    // `bind` or `escalate` on named roles only is how controllers hand out an
    // allow-list of roles: still worth review, not an open door.
    const named =
      Array.isArray(rule.resourceNames) && rule.resourceNames.length > 0;
    return named && (verb === 'bind' || verb === 'escalate')
      ? { text, warnOnly: true }
      : text;
  },
  'can escalate privileges',
);

export const rbacChecks: Check[] = [
  clusterAdmin,
  wildcard,
  secretsRead,
  execAttach,
  escalate,
];
