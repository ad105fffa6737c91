/*
 * probe.*, obs.*, meta.*: the signals that reveal outages and breaches alike.
 */
import { isDeepStrictEqual } from 'node:util';
import {
  Check,
  CheckContext,
  fail,
  Finding,
  KubeObject,
  notApplicable,
  pass,
  show,
  warn,
  Workload,
} from '@internal/backstage-plugin-security-guardrails-node';

const BATCH_KINDS = new Set(['Job', 'CronJob']);

function selectingServices(w: Workload, ctx: CheckContext): KubeObject[] {
  const labels = w.template.metadata.labels;
  return ctx.index.selectingPods('Service', w.namespace, labels);
}

/** Regular containers that serve traffic: they declare ports, or a Service selects the pod. */
function servingContainers(w: Workload, ctx: CheckContext) {
  const regular = w.containers.filter(c => c.role === 'container');
  const withPorts = regular.filter(
    c => Array.isArray(c.container.ports) && c.container.ports.length > 0,
  );
  if (withPorts.length > 0) return { serving: withPorts, regular };
  return {
    serving: selectingServices(w, ctx).length > 0 ? regular : [],
    regular,
  };
}

function batchNotApplicable(w: Workload, what: string): Finding[] {
  return [notApplicable(`${w.kind}s run to completion; ${what} do not apply.`)];
}

export const readiness: Check = {
  meta: {
    id: 'probe.readiness',
    title: 'Serving containers have a readiness probe',
    domain: 'observability',
    severity: 'medium',
    rationale:
      "Without a readiness probe, traffic reaches pods that are still starting or already failing; the first sign of trouble is your users' errors instead of a pod marked not ready.",
    references: ['Polaris readinessProbeMissing', 'kube-score pod-probes'],
    remediation: `Add a readiness probe on an endpoint that checks the service can do its work (not only that the process is up).

\`\`\`yaml
containers:
  - name: app
    readinessProbe:
      httpGet:
        path: /ready
        port: 8080
      periodSeconds: 5
      failureThreshold: 3
\`\`\``,
  },
  workload: (w, ctx) => {
    if (BATCH_KINDS.has(w.kind))
      return batchNotApplicable(w, 'readiness probes');
    const { serving, regular } = servingContainers(w, ctx);
    return regular.map(({ container, path }) => {
      const field = `${path}.readinessProbe`;
      if (!serving.some(s => s.container === container)) {
        return notApplicable('Does not serve traffic (no ports, no Service).', {
          container: container.name,
          field,
        });
      }
      return container.readinessProbe
        ? pass('Has a readiness probe.', { container: container.name, field })
        : fail('Serves traffic without a readiness probe.', {
            container: container.name,
            field,
          });
    });
  },
};

export const liveness: Check = {
  meta: {
    id: 'probe.liveness',
    title: 'A liveness probe that differs from readiness',
    domain: 'observability',
    severity: 'low',
    rationale:
      'A liveness probe restarts a wedged process. When it is identical to the readiness probe, a dependency outage makes every pod restart at once instead of just stopping traffic.',
    references: [
      'Polaris livenessProbeMissing',
      'kube-score pod-probes (identical probes)',
    ],
    remediation: `Add a liveness probe that checks only the process itself (cheap, no dependencies), distinct from readiness.

\`\`\`yaml
containers:
  - name: app
    livenessProbe:
      httpGet:
        path: /healthz
        port: 8080
      periodSeconds: 10
      failureThreshold: 6
    readinessProbe:
      httpGet:
        path: /ready
        port: 8080
\`\`\``,
  },
  workload: w => {
    if (BATCH_KINDS.has(w.kind))
      return batchNotApplicable(w, 'liveness probes');
    return w.containers
      .filter(c => c.role === 'container')
      .map(({ container, path }) => {
        const field = `${path}.livenessProbe`;
        if (!container.livenessProbe) {
          return fail('No liveness probe.', {
            container: container.name,
            field,
          });
        }
        if (
          container.readinessProbe &&
          isDeepStrictEqual(container.livenessProbe, container.readinessProbe)
        ) {
          return warn(
            'Liveness and readiness probes are identical: a dependency failure restarts every pod.',
            {
              container: container.name,
              field,
            },
          );
        }
        return pass('Has a liveness probe distinct from readiness.', {
          container: container.name,
          field,
        });
      });
  },
};

export const metrics: Check = {
  meta: {
    id: 'obs.metrics',
    title: 'Metrics are scraped',
    domain: 'observability',
    severity: 'low',
    rationale:
      'CPU spikes, error bursts and odd traffic are the first sign of both outages and breaches. A service nobody scrapes is one nobody will see being attacked.',
    references: [
      'Prometheus Operator ServiceMonitor/PodMonitor',
      'prometheus.io/scrape convention',
    ],
    remediation: `Expose metrics and let Prometheus find them with a ServiceMonitor (Prometheus Operator) or the scrape annotations.

\`\`\`yaml
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: checkout
spec:
  selector:
    matchLabels:
      app.kubernetes.io/name: checkout
  endpoints:
    - port: metrics
      interval: 30s
\`\`\``,
  },
  workload: (w, ctx) => {
    if (BATCH_KINDS.has(w.kind)) return batchNotApplicable(w, 'scrape checks');
    const annotations = w.template.metadata.annotations ?? {};
    if (annotations['prometheus.io/scrape'] === 'true') {
      return [
        pass('Scraped through prometheus.io/scrape annotations.', {
          field: 'spec.template.metadata.annotations',
          observed: 'prometheus.io/scrape=true',
        }),
      ];
    }
    const labels = w.template.metadata.labels;
    const [byPod] = ctx.index.monitorsMatching('PodMonitor', w.namespace, [
      labels,
    ]);
    if (byPod) {
      return [
        pass(`Scraped by PodMonitor ${byPod.monitor.metadata.name}.`, {
          field: 'PodMonitor.spec.selector',
          observed: byPod.monitor.metadata.name,
        }),
      ];
    }
    // The first ServiceMonitor that selects one of the pod's Services, and
    // the first of those Services it selects.
    const services = selectingServices(w, ctx);
    const [byService] = ctx.index.monitorsMatching(
      'ServiceMonitor',
      w.namespace,
      services.map(s => s.metadata.labels),
    );
    if (byService) {
      const { monitor, selects } = byService;
      return [
        pass(
          `Scraped by ServiceMonitor ${monitor.metadata.name} through Service ${services[selects].metadata.name}.`,
          {
            field: 'ServiceMonitor.spec.selector',
            observed: monitor.metadata.name,
          },
        ),
      ];
    }
    return [
      fail(
        'Nothing scrapes its metrics: no ServiceMonitor, PodMonitor or scrape annotation.',
        { field: 'spec.template.metadata.annotations' },
      ),
    ];
  },
};

export const labels: Check = {
  meta: {
    id: 'meta.labels',
    title: 'Standard labels',
    domain: 'observability',
    severity: 'low',
    rationale:
      'Dashboards, alerts, NetworkPolicies and incident tooling find workloads by `app.kubernetes.io/name`. Without it, signals cannot be tied back to a service during an incident.',
    references: ['Kubernetes recommended labels'],
    remediation: `Label the workload and its pod template with the recommended labels.

\`\`\`yaml
metadata:
  labels:
    app.kubernetes.io/name: checkout
    app.kubernetes.io/instance: checkout-prod
spec:
  template:
    metadata:
      labels:
        app.kubernetes.io/name: checkout
        app.kubernetes.io/instance: checkout-prod
\`\`\``,
  },
  workload: w => {
    const own = w.object.metadata.labels ?? {};
    const pod = w.template.metadata.labels ?? {};
    const name = own['app.kubernetes.io/name'] ?? pod['app.kubernetes.io/name'];
    const field = 'metadata.labels';
    if (!name) {
      return [
        fail('No app.kubernetes.io/name label.', {
          field,
          observed: show(Object.keys(own)),
        }),
      ];
    }
    const a = own['app.kubernetes.io/instance'];
    const b = pod['app.kubernetes.io/instance'];
    if (a && b && a !== b) {
      return [
        warn(
          `app.kubernetes.io/instance differs between the ${w.kind} (${a}) and its pods (${b}).`,
          { field, observed: `${a} / ${b}` },
        ),
      ];
    }
    return [
      pass(`Labelled app.kubernetes.io/name=${name}.`, {
        field,
        observed: name,
      }),
    ];
  },
};

export const observabilityChecks: Check[] = [
  readiness,
  liveness,
  metrics,
  labels,
];
