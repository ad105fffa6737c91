/*
 * One posture through every backend view: the entity API, the list rows the
 * dashboard and group card show, the MCP action and the CLI's summary count
 * failing checks (and, apart, failing results) as `failureCounts` does, and
 * the grade cap names the same critical checks. The frontend's side is
 * components/failureCounts.test.tsx in the frontend plugin.
 */
import { mockCredentials } from '@backstage/backend-test-utils';
import { actionsRegistryServiceMock } from '@backstage/backend-test-utils/alpha';
import { createServiceFactory } from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import {
  EntityPosture,
  failureCounts,
  failureLabel,
  PostureListItem,
} from '@internal/backstage-plugin-security-guardrails-common';
import request from 'supertest';
import { formatTable, summaryOf, ScanReport } from '../cli/formats';
import {
  startGuardrailsBackend,
  waitForPostures,
} from '../__testUtils__/testBackend';

jest.setTimeout(60_000);

const auth = {
  Authorization: mockCredentials.user.header('user:default/dana'),
};

describe('failure counts across the backend views', () => {
  const actions = actionsRegistryServiceMock();
  let backend: Awaited<ReturnType<typeof startGuardrailsBackend>>;

  beforeAll(async () => {
    backend = await startGuardrailsBackend({
      features: [
        createServiceFactory({
          service: actionsRegistryServiceRef,
          deps: {},
          factory: () => actions,
        }),
      ],
    });
    await waitForPostures(backend.server);
  });

  afterAll(async () => {
    await backend?.stop();
  });

  it('agree for every demo service', async () => {
    const list = await request(backend.server)
      .get('/api/security-guardrails/posture?limit=100')
      .set(auth);
    expect(list.status).toBe(200);
    const rows: PostureListItem[] = list.body.items;
    expect(rows.length).toBeGreaterThanOrEqual(10);
    let checksDifferFromResults = 0;

    for (const row of rows) {
      const [kind, rest] = row.entityRef.split(':');
      const res = await request(backend.server)
        .get(`/api/security-guardrails/posture/${kind}/${rest}`)
        .set(auth);
      expect(res.status).toBe(200);
      const posture: EntityPosture = res.body;
      const counts = failureCounts(posture.results);
      if (counts.checkIds.length !== counts.results) checksDifferFromResults++;

      // The list row (dashboard table, group card).
      expect({ ref: row.entityRef, ids: row.failingChecks }).toEqual({
        ref: row.entityRef,
        ids: counts.checkIds,
      });
      expect(row.criticalFailures).toBe(counts.checksBySeverity.critical);
      // The grade cap names the same critical checks.
      expect(posture.score.overall.criticalFailures).toHaveLength(
        counts.checksBySeverity.critical,
      );

      // The MCP action.
      const { output } = await actions.invoke({
        id: 'test:get-service-posture',
        input: { entityRef: row.entityRef },
        credentials: mockCredentials.user('user:default/dana'),
      });
      expect((output as any).failing).toEqual({
        checks: counts.checkIds.length,
        ...counts,
      });

      // The CLI's JSON summary and table over the same results.
      const report: ScanReport = {
        results: posture.results,
        errors: [],
        score: posture.score.overall,
        failOn: 'low',
        failing: posture.results.filter(r => r.status === 'fail'),
      };
      expect(summaryOf(report)).toMatchObject({
        failingChecks: counts.checkIds.length,
        failingCheckIds: counts.checkIds,
        failingChecksBySeverity: counts.checksBySeverity,
        failingResults: counts.results,
        failingChecksAtThreshold: counts.checkIds.length,
        failingResultsAtThreshold: counts.results,
      });
      expect([...formatTable(report, { all: false })].join('')).toContain(
        `Failing at or above low: ${
          counts.results ? failureLabel(counts) : '0 checks'
        }`,
      );
    }
    // The demo has services where one check fails on several resources.
    expect(checksDifferFromResults).toBeGreaterThan(0);
  });
});
