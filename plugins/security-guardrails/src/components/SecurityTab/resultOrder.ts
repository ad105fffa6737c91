/** How the Security tab orders and names results. */
import {
  PostureResult,
  SEVERITIES,
} from '@internal/backstage-plugin-security-guardrails-common';

const STATUS_ORDER = ['fail', 'warn', 'exempt', 'pass', 'not-applicable'];

export function sortResults(a: PostureResult, b: PostureResult): number {
  return (
    STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status) ||
    SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) ||
    a.checkId.localeCompare(b.checkId) ||
    a.resource.name.localeCompare(b.resource.name)
  );
}

export function resultKey(r: PostureResult): string {
  const { cluster, kind, namespace, name } = r.resource;
  return [r.checkId, cluster, kind, namespace, name, r.container].join('|');
}

export function resourceText(r: PostureResult): string {
  const ns = r.resource.namespace ? `${r.resource.namespace}/` : '';
  return `${r.resource.kind}/${ns}${r.resource.name}${
    r.container ? ` [${r.container}]` : ''
  }`;
}
