/*
 * Posture records for store and campaign tests: one service with one
 * sc.non-root result of a given status, in the demo cluster's shop namespace.
 */
import {
  CheckResult,
  scoreResults,
} from '@internal/backstage-plugin-security-guardrails-common';
import { PostureRecord } from '../posture/PostureStore';

export function nonRootRecord(
  name: string,
  owner: string,
  status: CheckResult['status'],
  evaluatedAt = '2026-12-01T00:00:00.000Z',
): PostureRecord {
  const results: CheckResult[] = [
    {
      checkId: 'sc.non-root',
      status,
      severity: 'high',
      domain: 'implementation',
      resource: {
        cluster: 'demo',
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        namespace: 'shop',
        name,
      },
      message: status,
    },
  ];
  return {
    entityRef: `component:default/${name}`,
    owner,
    evaluatedAt,
    stale: false,
    mapped: true,
    clusters: [],
    score: scoreResults(results),
    results,
  };
}
