/*
 * maint.image-vulns and maint.policy-reports: what scanners already
 * reported (Trivy's VulnerabilityReports, Kyverno and Kubescape
 * PolicyReports), shown on the objects they are about.
 */
import type { Severity } from '@internal/backstage-plugin-security-guardrails-common';
import {
  Check,
  CheckContext,
  fail,
  Finding,
  notApplicable,
  pass,
  PolicyReportEntry,
  show,
  warn,
  Workload,
} from '@internal/backstage-plugin-security-guardrails-node';
import { WORKLOAD_KINDS } from '../clusterIndex';

export const imageVulns: Check = {
  meta: {
    id: 'maint.image-vulns',
    title: 'No critical or high image vulnerabilities',
    domain: 'maintenance',
    severity: 'high',
    severityRule: 'Critical when a report lists a critical vulnerability.',
    rationale:
      "Known-vulnerable images are the most common way in. Trivy Operator's VulnerabilityReports say which running images carry critical and high CVEs; they should be rebuilt.",
    references: ['Trivy Operator VulnerabilityReport'],
    remediation: `Rebuild on a patched base image and bump the vulnerable dependencies; pin the new digest.

\`\`\`dockerfile
FROM gcr.io/distroless/base-debian12:nonroot   # a current, minimal base
\`\`\`

Then redeploy and check the new VulnerabilityReport:
\`\`\`sh
kubectl -n payments get vulnerabilityreports -l trivy-operator.resource.name=checkout
\`\`\``,
  },
  workload: (w, ctx) => {
    const reports = [w.object, ...w.owned].flatMap(o =>
      ctx.index.vulnerabilityReportsFor(o),
    );
    const trivyPresent = ctx.index.has('VulnerabilityReport');
    return w.containers
      .filter(c => c.role !== 'ephemeralContainer')
      .map(({ container }): Finding => {
        const mine = reports.filter(
          r =>
            (r.metadata.labels ?? {})['trivy-operator.container.name'] ===
            container.name,
        );
        if (mine.length === 0) {
          return trivyPresent
            ? warn(
                'No VulnerabilityReport for this container: its image is not scanned.',
                { container: container.name },
              )
            : notApplicable('No Trivy VulnerabilityReports in this cluster.', {
                container: container.name,
              });
        }
        let critical = 0;
        let high = 0;
        for (const r of mine) {
          const summary = ((r as any).report?.summary ?? {}) as Record<
            string,
            unknown
          >;
          critical = Math.max(critical, Number(summary.criticalCount) || 0);
          high = Math.max(high, Number(summary.highCount) || 0);
        }
        const observed = `critical=${critical}, high=${high}`;
        const field = 'VulnerabilityReport.report.summary';
        if (critical > 0) {
          return fail(
            `${critical} critical and ${high} high vulnerabilities.`,
            {
              container: container.name,
              field,
              observed,
              severity: 'critical',
            },
          );
        }
        if (high > 0) {
          return fail(`${high} high vulnerabilities.`, {
            container: container.name,
            field,
            observed,
          });
        }
        return pass('No critical or high vulnerabilities.', {
          container: container.name,
          field,
          observed,
        });
      });
  },
};

const SEVERITY_ORDER: Severity[] = ['critical', 'high', 'medium', 'low'];

function reportSeverity(value: string | undefined): Severity {
  const v = (value ?? '').toLowerCase();
  if (v === 'critical' || v === 'high' || v === 'medium' || v === 'low')
    return v;
  if (v === 'info') return 'low';
  return 'medium';
}

function summarisePolicyResults(entries: PolicyReportEntry[]): Finding[] {
  if (entries.length === 0) return [];
  const failing = entries.filter(
    e => e.result.result === 'fail' || e.result.result === 'error',
  );
  const warning = entries.filter(e => e.result.result === 'warn');
  const describe = (list: PolicyReportEntry[]) =>
    list.map(
      e =>
        `${e.result.source ? `${e.result.source}: ` : ''}${
          e.result.policy ?? '?'
        }${e.result.rule ? `/${e.result.rule}` : ''}`,
    );
  const field = 'PolicyReport.results';
  if (failing.length > 0) {
    const worst = failing
      .map(e => reportSeverity(e.result.severity))
      .sort((a, b) => SEVERITY_ORDER.indexOf(a) - SEVERITY_ORDER.indexOf(b))[0];
    const names = describe(failing);
    return [
      fail(`${failing.length} failing policy result(s): ${names.join(', ')}.`, {
        field,
        observed: show(names),
        severity: worst,
      }),
    ];
  }
  if (warning.length > 0) {
    const worst = warning
      .map(e => reportSeverity(e.result.severity))
      .sort((a, b) => SEVERITY_ORDER.indexOf(a) - SEVERITY_ORDER.indexOf(b))[0];
    const names = describe(warning);
    return [
      warn(`${warning.length} policy warning(s): ${names.join(', ')}.`, {
        field,
        observed: show(names),
        severity: worst,
      }),
    ];
  }
  return [pass(`${entries.length} policy result(s), none failing.`, { field })];
}

export const policyReports: Check = {
  meta: {
    id: 'maint.policy-reports',
    title: 'No failing policy reports',
    domain: 'maintenance',
    severity: 'medium',
    severityRule:
      'The severity of the worst failing entry, as the report states it.',
    rationale:
      "Kyverno, Kubescape and other engines write wg-policy PolicyReports. Failing results are known violations someone already detected; the severity is the report's own.",
    references: ['wg-policy PolicyReport API', 'Kyverno', 'Kubescape'],
    remediation: `Open the report to see which policy and rule failed and why, then fix the resource (the policy's own message says how).

\`\`\`sh
kubectl -n payments get policyreports -o yaml
\`\`\``,
  },
  workload: (w: Workload, ctx: CheckContext) =>
    summarisePolicyResults(
      [w.object, ...w.owned].flatMap(o => ctx.index.policyResultsFor(o)),
    ),
  objectKinds: ['*'],
  object: (obj, ctx) =>
    WORKLOAD_KINDS.has(obj.kind)
      ? []
      : summarisePolicyResults(ctx.index.policyResultsFor(obj)),
};
