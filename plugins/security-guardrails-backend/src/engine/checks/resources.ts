/*
 * res.*: requests and limits. Ephemeral containers cannot set resources and
 * are left out.
 */
import {
  Check,
  fail,
  pass,
  show,
  Workload,
} from '@internal/backstage-plugin-security-guardrails-node';

function present(
  map: Record<string, unknown> | undefined,
  key: string,
): boolean {
  const v = map?.[key];
  return v !== undefined && v !== null && String(v).trim() !== '';
}

function resourced(w: Workload) {
  return w.containers.filter(c => c.role !== 'ephemeralContainer');
}

export const requests: Check = {
  meta: {
    id: 'res.requests',
    title: 'CPU and memory requests are set',
    domain: 'implementation',
    severity: 'medium',
    rationale:
      'Without requests the scheduler packs pods blindly and the pod is first to be evicted under pressure; a noisy or compromised neighbour can starve it.',
    references: [
      'Polaris cpuRequestsMissing/memoryRequestsMissing',
      'kube-score container-resources',
      'KSV015',
      'KSV016',
    ],
    remediation: `Set requests from observed usage (p95 over a week is a good start).

\`\`\`yaml
containers:
  - name: app
    resources:
      requests:
        cpu: 100m
        memory: 128Mi
\`\`\``,
  },
  workload: w =>
    resourced(w).map(({ container, path }) => {
      const req = container.resources?.requests;
      const lim = container.resources?.limits;
      // Kubernetes sets a request that is not given to its limit.
      const fromLimit = ['cpu', 'memory'].filter(
        k => !present(req, k) && present(lim, k),
      );
      const missing = ['cpu', 'memory'].filter(
        k => !present(req, k) && !present(lim, k),
      );
      const field = `${path}.resources.requests`;
      const defaulted =
        fromLimit.length > 0
          ? ` (${fromLimit.join(' and ')} from ${
              fromLimit.length > 1 ? 'their limits' : 'its limit'
            }, as Kubernetes defaults a request to the limit)`
          : '';
      return missing.length > 0
        ? fail(`Missing ${missing.join(' and ')} request${defaulted}.`, {
            container: container.name,
            field,
            observed: show(req),
          })
        : pass(`CPU and memory requests are set${defaulted}.`, {
            container: container.name,
            field,
            observed: show(req ?? lim),
          });
    }),
};

export const limits: Check = {
  meta: {
    id: 'res.limits',
    title: 'A memory limit is set',
    domain: 'implementation',
    severity: 'medium',
    rationale:
      'Without a memory limit a leak or an attack (a decompression bomb, a cryptominer) consumes the node and takes its neighbours down. CPU limits are optional by default (they throttle) and can be required in config.',
    references: [
      'Polaris memoryLimitsMissing',
      'kube-score container-resources',
      'KSV018',
    ],
    remediation: `Set a memory limit (usually equal to the request for predictable behaviour).

\`\`\`yaml
containers:
  - name: app
    resources:
      requests:
        memory: 256Mi
      limits:
        memory: 256Mi
\`\`\``,
  },
  workload: (w, ctx) =>
    resourced(w).map(({ container, path }) => {
      const lim = container.resources?.limits;
      const wanted = ctx.settings.requireCpuLimits
        ? ['memory', 'cpu']
        : ['memory'];
      const missing = wanted.filter(k => !present(lim, k));
      const field = `${path}.resources.limits`;
      return missing.length > 0
        ? fail(`Missing ${missing.join(' and ')} limit.`, {
            container: container.name,
            field,
            observed: show(lim),
          })
        : pass(`${wanted.join(' and ')} limit set.`, {
            container: container.name,
            field,
            observed: show(lim),
          });
    }),
};

export const resourceChecks: Check[] = [requests, limits];
