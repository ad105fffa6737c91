/*
 * rbac.*: what a workload's service account can do, and what custom roles
 * grant wherever they are bound. A service account holds what is bound to
 * it directly, to its user name, and to the groups it is in
 * (`system:serviceaccounts[:<ns>]`, `system:authenticated`), plus what
 * anyone holds (`system:unauthenticated`). Built-in roles (bootstrap-labelled
 * or Kubernetes' defaults by name) are not findings by themselves; binding
 * them to a workload, or to a group of every service account, is.
 *
 * Over 400 lines on purpose: the rbac.* family shares one verdict model
 * (who holds a rule, through which binding) and reads best in one place.
 */
import {
  Check,
  CheckContext,
  CheckMeta,
  fail,
  Finding,
  KubeObject,
  pass,
  RbacSubject,
  show,
  SubjectGrant,
  warn,
  Workload,
} from '@internal/backstage-plugin-security-guardrails-node';
import {
  adminEquivalence,
  broadReach,
  describeRule,
  describeSubject,
  escalationIn,
  EXEC_ATTACH,
  hasWildcard,
  isBootstrapped,
  isBuiltinRole,
  PolicyRule,
  roleRefOf,
  ruleGrants,
  SECRET_READ,
  subjectsOf,
} from '../rbac';

/** Rules a service account holds through one binding. */
interface HeldRules {
  binding: KubeObject;
  roleName: string;
  /** `ClusterRoleBinding/x`, with the group or user it reaches the account through. */
  via: string;
  /** The namespace a RoleBinding confines its rules to; undefined when cluster-wide. */
  scope: string | undefined;
  rules: PolicyRule[];
}

export function serviceAccountName(w: Workload): string {
  const spec = w.template.spec;
  return spec.serviceAccountName || spec.serviceAccount || 'default';
}

function roleNameOf(binding: KubeObject): string {
  const ref = roleRefOf(binding);
  return `${ref?.kind ?? '?'}/${ref?.name ?? '?'}`;
}

function scopeOf(binding: KubeObject): string | undefined {
  return binding.kind === 'RoleBinding'
    ? binding.metadata.namespace ?? 'default'
    : undefined;
}

/**
 * What heldRules made of each service account's grants. The index keeps one
 * grant list per service account, so the five RBAC checks of a workload
 * share one answer instead of each building it again.
 */
const heldByGrants = new WeakMap<readonly SubjectGrant[], HeldRules[]>();

function heldRules(w: Workload, ctx: CheckContext): HeldRules[] {
  const grants = ctx.index.grantsForServiceAccount(
    w.namespace,
    serviceAccountName(w),
  );
  const known = heldByGrants.get(grants);
  if (known) return known;
  const held = grants.map(({ binding, subject }) => {
    const direct = subject.kind === 'ServiceAccount';
    return {
      binding,
      roleName: roleNameOf(binding),
      via: `${binding.kind}/${binding.metadata.name}${
        direct ? '' : ` (to ${describeSubject(subject)})`
      }`,
      scope: scopeOf(binding),
      rules: ctx.index.rulesOfBinding(binding),
    };
  });
  heldByGrants.set(grants, held);
  return held;
}

/** Subjects of a binding that reach workloads: service accounts, and groups of them (or of everyone). */
function workloadSubjects(binding: KubeObject): RbacSubject[] {
  return subjectsOf(binding).filter(
    s =>
      s.kind === 'ServiceAccount' ||
      broadReach(s) !== undefined ||
      (s.kind === 'User' && s.name.startsWith('system:serviceaccount:')),
  );
}

function describeSubjects(binding: KubeObject, subjects: RbacSubject[]) {
  return subjects
    .map(s => {
      const text = describeSubject(s, binding.metadata.namespace);
      const reach = broadReach(s);
      return reach ? `${text} (${reach})` : text;
    })
    .join(', ');
}

/** What a rule grants that the check is about; `warnOnly` when it is limited (e.g. by resourceNames). */
type Hit = string | { text: string; warnOnly: true };
type RulePredicate = (rule: PolicyRule) => Hit | undefined;

function verdict(
  hits: Array<{ text: string; warnOnly: boolean }>,
  prefix: string,
  field: string,
): Finding[] {
  const unique = (texts: string[]) => [...new Set(texts)];
  const failing = unique(hits.filter(h => !h.warnOnly).map(h => h.text));
  const limited = unique(hits.filter(h => h.warnOnly).map(h => h.text));
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

function hitsIn(rules: PolicyRule[], predicate: RulePredicate) {
  const hits: Array<{ text: string; warnOnly: boolean }> = [];
  for (const rule of rules) {
    const hit = predicate(rule);
    if (hit) hits.push(toHit(hit));
  }
  return hits;
}

/**
 * A workload check's verdict on its service account, made again only when
 * the account or pod spec path differs from the previous workload's: the
 * workloads of a namespace come in name order, and those that run as one
 * account (`default`, or an app's Deployment and its `-worker`) usually
 * follow one another. Every one of them gets the same findings (the engine
 * copies findings into results and never changes them), and only the last
 * verdict is kept, so the memory does not grow with the accounts. What
 * heldRules returned is one list per account in one index, so a new index
 * never matches the verdict kept from the last.
 */
function perServiceAccount(
  verdictOn: (sa: string, held: HeldRules[], field: string) => Finding[],
): (w: Workload, ctx: CheckContext) => Finding[] {
  let last:
    | { held: HeldRules[]; sa: string; specPath: string; findings: Finding[] }
    | undefined;
  return (w, ctx) => {
    const sa = serviceAccountName(w);
    const held = heldRules(w, ctx);
    const specPath = w.template.specPath;
    if (
      last &&
      last.held === held &&
      last.sa === sa &&
      last.specPath === specPath
    ) {
      return last.findings;
    }
    const findings = verdictOn(sa, held, `${specPath}.serviceAccountName`);
    last = { held, sa, specPath, findings };
    return findings;
  };
}

/**
 * A binding of any role to a group that holds every service account (or
 * everyone) hands the role to every workload in its reach: a finding on the
 * binding itself, whatever the role.
 */
function broadBindingFindings(
  binding: KubeObject,
  ctx: CheckContext,
  predicate: RulePredicate,
  what: string,
): Finding[] {
  if (isBootstrapped(binding)) return [];
  const broad = subjectsOf(binding).filter(s => broadReach(s) !== undefined);
  if (broad.length === 0) return [];
  const role = roleNameOf(binding);
  const who = describeSubjects(binding, broad);
  const hits = hitsIn(ctx.index.rulesOfBinding(binding), predicate);
  return hits.length > 0
    ? verdict(
        hits,
        `Binds ${role} to ${who}, so each of them ${what}`,
        'roleRef',
      )
    : [
        pass(`Binds ${role} to ${who}; the role does not grant this.`, {
          field: 'roleRef',
          observed: role,
        }),
      ];
}

/**
 * Builds a check that looks for a rule property at three levels: in the
 * rules a workload's service account holds, in custom roles themselves, and
 * in bindings that hand a role to every service account.
 */
function rbacCheck(
  meta: CheckMeta,
  predicate: RulePredicate,
  what: string,
): Check {
  return {
    meta,
    workload: perServiceAccount((sa, held, field) => {
      const hits: Array<{ text: string; warnOnly: boolean }> = [];
      for (const h of held) {
        for (const hit of hitsIn(h.rules, predicate)) {
          hits.push({
            text: `${h.roleName} via ${h.via}: ${hit.text}`,
            warnOnly: hit.warnOnly,
          });
        }
      }
      if (hits.length > 0) {
        return verdict(hits, `ServiceAccount ${sa} ${what}`, field);
      }
      return [
        pass(
          held.length === 0
            ? `ServiceAccount ${sa} has no RBAC bindings.`
            : `ServiceAccount ${sa}'s roles (${held
                .map(h => `${h.roleName} via ${h.via}`)
                .join(', ')}) do not grant this.`,
          { field, observed: sa },
        ),
      ];
    }),
    objectKinds: ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'],
    object: (obj, ctx) => {
      if (obj.kind === 'RoleBinding' || obj.kind === 'ClusterRoleBinding') {
        return broadBindingFindings(obj, ctx, predicate, what);
      }
      if (isBuiltinRole(obj)) return [];
      const hits = hitsIn(ctx.index.rulesOfRole(obj), predicate);
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

function isClusterAdminRef(binding: KubeObject): boolean {
  const ref = roleRefOf(binding);
  return ref?.kind === 'ClusterRole' && ref.name === 'cluster-admin';
}

/** Why a binding makes its subjects admin-equivalent, or undefined. */
function bindingAdminReason(
  binding: KubeObject,
  ctx: CheckContext,
): string | undefined {
  if (isClusterAdminRef(binding)) return 'cluster-admin';
  return adminEquivalence(
    ctx.index.rulesOfBinding(binding),
    binding.kind === 'ClusterRoleBinding',
  );
}

function heldList(held: HeldRules[]): string {
  return held.map(h => `${h.roleName} via ${h.via}`).join(', ');
}

export const clusterAdmin: Check = {
  meta: clusterAdminMeta,
  workload: perServiceAccount((sa, held, field) => {
    const byName = held.filter(h => isClusterAdminRef(h.binding));
    if (byName.length > 0) {
      const names = byName.map(
        h => `${h.via}${h.scope ? ` in namespace ${h.scope}` : ''}`,
      );
      return [
        fail(
          `ServiceAccount ${sa} is bound to cluster-admin by ${names.join(
            ', ',
          )}.`,
          { field, observed: show(byName.map(h => h.via)) },
        ),
      ];
    }
    // Rules add up across bindings: what all cluster-wide bindings grant
    // together, then what each namespace adds to that.
    const clusterWide = held.filter(h => !h.scope);
    const clusterRules = clusterWide.flatMap(h => h.rules);
    const wide = adminEquivalence(clusterRules, true);
    if (wide) {
      return [
        fail(
          `ServiceAccount ${sa} holds admin-equivalent power cluster-wide through ${heldList(
            clusterWide,
          )}: ${wide}.`,
          { field, observed: show(clusterWide.map(h => h.via)) },
        ),
      ];
    }
    const namespaces = [
      ...new Set(held.map(h => h.scope).filter((x): x is string => !!x)),
    ];
    for (const ns of namespaces) {
      const inNs = held.filter(h => h.scope === ns);
      const reason = adminEquivalence(
        [...clusterRules, ...inNs.flatMap(h => h.rules)],
        false,
      );
      if (reason) {
        return [
          fail(
            `ServiceAccount ${sa} holds admin-equivalent power in namespace ${ns} through ${heldList(
              [...inNs, ...clusterWide],
            )}: ${reason}.`,
            { field, observed: show(inNs.map(h => h.via)) },
          ),
        ];
      }
    }
    return [
      pass(
        held.length === 0
          ? `ServiceAccount ${sa} has no RBAC bindings.`
          : `ServiceAccount ${sa}'s roles (${heldList(
              held,
            )}) are not admin-equivalent.`,
        { field, observed: sa },
      ),
    ];
  }),
  objectKinds: ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'],
  object: (obj, ctx) => {
    if (obj.kind === 'Role' || obj.kind === 'ClusterRole') {
      if (isBuiltinRole(obj)) return [];
      const rules = ctx.index.rulesOfRole(obj);
      const anywhere = adminEquivalence(rules, false);
      if (anywhere) {
        return [
          fail(
            `This role is admin-equivalent wherever it is bound: ${anywhere}.`,
            { field: 'rules' },
          ),
        ];
      }
      const wide = obj.kind === 'ClusterRole' && adminEquivalence(rules, true);
      if (wide) {
        const bindings = ctx.index
          .bindingsOfRole(obj)
          .filter(b => b.kind === 'ClusterRoleBinding')
          .map(b => `ClusterRoleBinding/${b.metadata.name}`);
        return bindings.length > 0
          ? [
              fail(
                `This role is admin-equivalent where ${bindings.join(
                  ', ',
                )} binds it cluster-wide: ${wide}.`,
                { field: 'rules', observed: show(bindings) },
              ),
            ]
          : [
              warn(
                `This role would be admin-equivalent if bound cluster-wide: ${wide}.`,
                { field: 'rules' },
              ),
            ];
      }
      return [pass('This role is not admin-equivalent.', { field: 'rules' })];
    }
    // Bindings that make service accounts admin-equivalent, whether or not a workload in the state uses them.
    if (isBootstrapped(obj)) return [];
    const ref = roleRefOf(obj);
    const subjects = workloadSubjects(obj);
    if (!ref || subjects.length === 0) return [];
    const reason = bindingAdminReason(obj, ctx);
    const who = describeSubjects(obj, subjects);
    const where =
      obj.kind === 'ClusterRoleBinding'
        ? 'cluster-wide'
        : `in namespace ${obj.metadata.namespace ?? 'default'}`;
    return reason
      ? [
          fail(
            `Binds ${ref.kind} ${ref.name} ${
              reason === 'cluster-admin' ? '' : `(admin-equivalent: ${reason}) `
            }to ${who}, ${where}.`,
            { field: 'roleRef', observed: show(ref.name) },
          ),
        ]
      : [
          pass(
            `Binds ${ref.kind} ${ref.name}, which is not admin-equivalent, to ${who}.`,
            { field: 'roleRef', observed: show(ref.name) },
          ),
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
