/*
 * own.*, ha.*: being able to contain and rebuild. Ownership checks read the
 * catalog entity; availability checks read the workload and its neighbours.
 *
 * About 400 lines: the response.* family.
 */
import {
  ONCALL_ANNOTATIONS,
  RUNBOOK_ANNOTATION,
} from '@internal/backstage-plugin-security-guardrails-common';
import {
  Check,
  CheckContext,
  fail,
  KubeObject,
  notApplicable,
  pass,
  show,
  warn,
  Workload,
} from '@internal/backstage-plugin-security-guardrails-node';

export const owner: Check = {
  meta: {
    id: 'own.owner',
    title: 'Owned by a team',
    domain: 'response',
    severity: 'high',
    rationale:
      'During an incident the first question is who owns this. An owner that is a person leaves with them; an owner that does not exist in the catalog is no owner at all.',
    references: ['Backstage catalog: spec.owner'],
    remediation: `Set \`spec.owner\` to a Group that exists in the catalog.

\`\`\`yaml
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: checkout
spec:
  type: service
  owner: group:default/payments-team
\`\`\``,
  },
  entity: (entity, ctx) => {
    const field = 'spec.owner';
    if (!entity.owner) {
      return [fail('No owner.', { field })];
    }
    if (!entity.owner.startsWith('group:')) {
      return [
        fail(`Owned by ${entity.owner}, not by a team.`, {
          field,
          observed: entity.owner,
        }),
      ];
    }
    if (!ctx.settings.knownGroups) {
      return [
        notApplicable("The catalog's groups are not known here.", {
          field,
          observed: entity.owner,
        }),
      ];
    }
    return ctx.settings.knownGroups.has(entity.owner)
      ? [pass(`Owned by ${entity.owner}.`, { field, observed: entity.owner })]
      : [
          fail(`Owner ${entity.owner} does not exist in the catalog.`, {
            field,
            observed: entity.owner,
          }),
        ];
  },
};

export const runbook: Check = {
  meta: {
    id: 'own.runbook',
    title: 'A runbook is linked',
    domain: 'response',
    severity: 'medium',
    rationale:
      'At 3 AM nobody remembers how to fail over, rotate the credentials or roll back. The runbook is what turns an alert into a response.',
    references: ['Backstage catalog: metadata.links'],
    remediation: `Link the runbook from the catalog entity (a link whose type or title says "runbook"), or set the \`${RUNBOOK_ANNOTATION}\` annotation.

\`\`\`yaml
metadata:
  links:
    - url: https://runbooks.example.com/checkout
      title: Runbook
      type: runbook
\`\`\``,
  },
  entity: entity => {
    const link = entity.links.find(
      l =>
        l.type?.toLowerCase() === 'runbook' ||
        /runbook/i.test(l.title ?? '') ||
        /runbook/i.test(l.url ?? ''),
    );
    if (link)
      return [
        pass(`Runbook: ${link.url}`, {
          field: 'metadata.links',
          observed: link.url,
        }),
      ];
    const annotation = entity.annotations[RUNBOOK_ANNOTATION];
    if (annotation) {
      return [
        pass(`Runbook: ${annotation}`, {
          field: `metadata.annotations[${RUNBOOK_ANNOTATION}]`,
          observed: annotation,
        }),
      ];
    }
    return [
      fail('No runbook link or annotation.', { field: 'metadata.links' }),
    ];
  },
};

export const oncall: Check = {
  meta: {
    id: 'own.oncall',
    title: 'An on-call rotation is named',
    domain: 'response',
    severity: 'medium',
    rationale:
      "Alerts need somewhere to go. An on-call annotation (PagerDuty, Opsgenie...) connects the service's signals to the people who respond.",
    references: ['Backstage PagerDuty / Opsgenie plugin annotations'],
    remediation: `Annotate the entity with its on-call service.

\`\`\`yaml
metadata:
  annotations:
    pagerduty.com/service-id: PX1234
\`\`\``,
  },
  entity: (entity, ctx) => {
    const names = ctx.settings.oncallAnnotations.length
      ? ctx.settings.oncallAnnotations
      : ONCALL_ANNOTATIONS;
    const found = names.find(n => entity.annotations[n]?.trim());
    return found
      ? [
          pass(`On-call: ${found}.`, {
            field: `metadata.annotations[${found}]`,
            observed: entity.annotations[found],
          }),
        ]
      : [
          fail('No on-call annotation.', {
            field: 'metadata.annotations',
            observed: show(names.slice(0, 3)),
          }),
        ];
  },
};

const REPLICATED_KINDS = new Set([
  'Deployment',
  'StatefulSet',
  'ReplicaSet',
  'ReplicationController',
]);

/** Replicas a workload runs with: its HPA's minimum when it has one, else spec.replicas (default 1). */
export function expectedReplicas(
  w: Workload,
  ctx: CheckContext,
): { replicas: number; hpa?: KubeObject } {
  const hpa = ctx.index.hpaFor(w);
  const min = (hpa?.spec as any)?.minReplicas;
  if (hpa) return { replicas: typeof min === 'number' ? min : 1, hpa };
  const replicas = (w.object.spec as any)?.replicas;
  return { replicas: typeof replicas === 'number' ? replicas : 1 };
}

function percent(value: string): number | undefined {
  const m = /^(\d+)%$/.exec(value.trim());
  return m ? Number(m[1]) : undefined;
}

/** Whether a PodDisruptionBudget lets at least one pod be evicted. */
export function pdbAllowsEviction(
  pdb: KubeObject,
  replicas: number,
): boolean | undefined {
  const spec = (pdb.spec ?? {}) as {
    minAvailable?: unknown;
    maxUnavailable?: unknown;
  };
  if (spec.maxUnavailable !== undefined) {
    const v = spec.maxUnavailable;
    if (typeof v === 'number') return v > 0;
    if (typeof v === 'string') {
      const p = percent(v);
      return p !== undefined ? p > 0 && replicas > 0 : undefined;
    }
  }
  if (spec.minAvailable !== undefined) {
    const v = spec.minAvailable;
    if (typeof v === 'number') return replicas > v;
    if (typeof v === 'string') {
      const p = percent(v);
      return p !== undefined
        ? Math.ceil((replicas * p) / 100) < replicas
        : undefined;
    }
  }
  return undefined;
}

export const pdb: Check = {
  meta: {
    id: 'ha.pdb',
    title: 'A PodDisruptionBudget that allows eviction',
    domain: 'response',
    severity: 'medium',
    rationale:
      'Node upgrades and emergency drains (the first move when a node is compromised) evict pods. A PodDisruptionBudget keeps enough replicas up; one that allows no eviction blocks the drain entirely.',
    references: ['kube-score pod-disruption-budget', 'Polaris (PDB)'],
    remediation: `Add a PodDisruptionBudget that keeps capacity but lets one pod go at a time.

\`\`\`yaml
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: checkout
spec:
  maxUnavailable: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: checkout
\`\`\``,
  },
  workload: (w, ctx) => {
    if (!REPLICATED_KINDS.has(w.kind)) {
      return [
        notApplicable(`${w.kind}s are not protected by disruption budgets.`),
      ];
    }
    const labels = w.template.metadata.labels;
    const budgets = ctx.index.selectingPods(
      'PodDisruptionBudget',
      w.namespace,
      labels,
    );
    const field = 'PodDisruptionBudget.spec.selector';
    if (budgets.length === 0) {
      return [fail('No PodDisruptionBudget selects these pods.', { field })];
    }
    const { replicas } = expectedReplicas(w, ctx);
    const b = budgets[0];
    const allows = pdbAllowsEviction(b, replicas);
    const observed = `${b.metadata.name}: ${show({
      minAvailable: (b.spec as any)?.minAvailable,
      maxUnavailable: (b.spec as any)?.maxUnavailable,
    })}, replicas=${replicas}`;
    if (allows === false) {
      return [
        warn(
          `PodDisruptionBudget ${b.metadata.name} allows no eviction with ${replicas} replica(s): node drains will block.`,
          { field, observed },
        ),
      ];
    }
    if (allows === undefined) {
      return [
        warn(
          `PodDisruptionBudget ${b.metadata.name} sets neither a usable minAvailable nor maxUnavailable.`,
          { field, observed },
        ),
      ];
    }
    return [
      pass(
        `PodDisruptionBudget ${b.metadata.name} protects it and allows eviction.`,
        { field, observed },
      ),
    ];
  },
};

export const replicas: Check = {
  meta: {
    id: 'ha.replicas',
    title: 'At least two replicas',
    domain: 'response',
    severity: 'medium',
    rationale:
      'A single replica means every restart, eviction or node loss is an outage, and containing a compromised pod (deleting it) takes the service down.',
    references: [
      'Polaris (deploymentMissingReplicas)',
      'kube-score deployment-replicas',
    ],
    remediation: `Run two or more replicas, or let an HPA keep a minimum of two.

\`\`\`yaml
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: checkout
  minReplicas: 2
  maxReplicas: 10
\`\`\``,
  },
  workload: (w, ctx) => {
    if (!REPLICATED_KINDS.has(w.kind)) {
      return [notApplicable(`${w.kind}s do not run a replica count.`)];
    }
    const { replicas: n, hpa } = expectedReplicas(w, ctx);
    const field = hpa
      ? 'HorizontalPodAutoscaler.spec.minReplicas'
      : 'spec.replicas';
    const source = hpa ? `HPA ${hpa.metadata.name} minReplicas` : 'replicas';
    return n >= 2
      ? [pass(`${source} is ${n}.`, { field, observed: String(n) })]
      : [
          fail(`${source} is ${n}: one failure is an outage.`, {
            field,
            observed: String(n),
          }),
        ];
  },
};

export const spread: Check = {
  meta: {
    id: 'ha.spread',
    title: 'Replicas are spread across nodes',
    domain: 'response',
    severity: 'low',
    rationale:
      "Replicas on the same node fail together. Topology spread constraints or hostname anti-affinity keep one node's loss (or its quarantine) from taking the whole service.",
    references: ['kube-score deployment-pod-anti-affinity'],
    remediation: `Spread replicas across nodes (and zones where you have them).

\`\`\`yaml
spec:
  template:
    spec:
      topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: kubernetes.io/hostname
          whenUnsatisfiable: ScheduleAnyway
          labelSelector:
            matchLabels:
              app.kubernetes.io/name: checkout
\`\`\``,
  },
  workload: (w, ctx) => {
    if (!REPLICATED_KINDS.has(w.kind)) {
      return [notApplicable(`${w.kind}s are not spread by replica count.`)];
    }
    const { replicas: n } = expectedReplicas(w, ctx);
    if (n < 2) {
      return [
        notApplicable(
          'A single replica has nothing to spread (see ha.replicas).',
        ),
      ];
    }
    const spec = w.template.spec;
    const field = `${w.template.specPath}.topologySpreadConstraints`;
    if (
      Array.isArray(spec.topologySpreadConstraints) &&
      spec.topologySpreadConstraints.length > 0
    ) {
      return [pass('Topology spread constraints are set.', { field })];
    }
    const anti = spec.affinity?.podAntiAffinity;
    const keys = [
      ...(anti?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map(
        t => t?.topologyKey,
      ),
      ...(anti?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map(
        t => t?.podAffinityTerm?.topologyKey,
      ),
    ];
    if (keys.includes('kubernetes.io/hostname')) {
      return [
        pass('Pod anti-affinity on kubernetes.io/hostname.', {
          field: `${w.template.specPath}.affinity.podAntiAffinity`,
        }),
      ];
    }
    return [
      fail(
        `${n} replicas may land on one node: no spread constraint or hostname anti-affinity.`,
        { field },
      ),
    ];
  },
};

export const responseChecks: Check[] = [
  owner,
  runbook,
  oncall,
  pdb,
  replicas,
  spread,
];
