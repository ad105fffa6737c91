/*
 * One posture through every frontend view: the entity card, the Security tab,
 * the group card and the dashboard's services table say the same number of
 * failing checks (check ids, as failureCounts counts them) and of critical
 * failing checks. The backend's side (API, list rows, MCP action, CLI) is
 * service/failureCounts.test.ts.
 */
import { screen, within } from '@testing-library/react';
import {
  EntityPosture,
  failureCounts,
  failureLabel,
  PostureResult,
  scoreResults,
} from '@internal/backstage-plugin-security-guardrails-common';
import { EntitySecurityCard } from './PostureCard/EntitySecurityCard';
import { EntitySecurityContent } from './SecurityTab/EntitySecurityContent';
import { GroupSecurityCard } from './Dashboard/GroupSecurityCard';
import { AdoptionDashboard } from './Dashboard/AdoptionDashboard';
import {
  GROUP,
  listItem,
  mockApi,
  POSTURE,
  RESULTS,
  SERVICE,
  SUMMARY,
} from '../__testUtils__/fixtures';
import { renderWithApi } from '../__testUtils__/render';

const privileged = RESULTS[0];
const sidecar = 'spec.template.spec.containers[sidecar]';
const results: PostureResult[] = [
  ...RESULTS,
  // Two failing results of one critical check, and two of a high one.
  {
    ...privileged,
    container: 'sidecar',
    field: `${sidecar}.securityContext.privileged`,
  },
  ...['web', 'sidecar'].map(container => ({
    checkId: 'sc.non-root',
    status: 'fail' as const,
    severity: 'high' as const,
    domain: 'implementation' as const,
    resource: privileged.resource,
    container,
    field: `spec.template.spec.containers[${container}].securityContext.runAsNonRoot`,
    message: 'May run as root: runAsNonRoot is not set.',
  })),
];
const posture: EntityPosture = {
  ...POSTURE,
  score: scoreResults(results),
  results,
};
const counts = failureCounts(results);
// What the store computes for the list row (service/failureCounts.test.ts).
const row = listItem(posture.entityRef, posture.score.overall.score, 'C', {
  failingChecks: counts.checkIds,
  criticalFailures: counts.checksBySeverity.critical,
});

function api() {
  return mockApi({
    getPosture: jest.fn().mockResolvedValue(posture),
    listPostures: jest.fn().mockResolvedValue({ items: [row] }),
    // The owner rollup the backend computes over that one row.
    getSummary: jest.fn().mockResolvedValue({
      ...SUMMARY,
      groups: [
        {
          ...SUMMARY.groups[0],
          services: 1,
          criticalFailures: row.criticalFailures,
        },
      ],
    }),
  });
}

describe('one posture, the same failure counts in every view', () => {
  it('fixes the numbers every view must show', () => {
    expect(counts.checkIds).toEqual(['sc.non-root', 'sc.privileged']);
    expect(counts.results).toBe(4);
    expect(counts.checksBySeverity.critical).toBe(1);
    expect(failureLabel(counts)).toBe('2 failing checks (4 failing results)');
  });

  it('entity card', async () => {
    await renderWithApi(<EntitySecurityCard />, {
      api: api(),
      entity: SERVICE,
    });
    expect(
      await screen.findByText(`Top failures: ${failureLabel(counts)}`),
    ).toBeInTheDocument();
  });

  it('Security tab: the summary and the domain that holds the failures', async () => {
    await renderWithApi(<EntitySecurityContent />, {
      api: api(),
      entity: SERVICE,
    });
    expect(
      await screen.findByText(`Top failures: ${failureLabel(counts)}`),
    ).toBeInTheDocument();
    // All failing results are in the implementation domain.
    expect(
      screen.getByText(
        (_, node) =>
          node?.tagName === 'SPAN' &&
          (node.textContent ?? '').startsWith(`${failureLabel(counts)} ·`),
      ),
    ).toBeInTheDocument();
  });

  it('group card', async () => {
    await renderWithApi(<GroupSecurityCard />, { api: api(), entity: GROUP });
    expect(
      await screen.findByText(/· 1 critical failing check$/),
    ).toBeInTheDocument();
    expect(screen.getByText(/· 2 failing checks$/)).toBeInTheDocument();
  });

  it("dashboard's services table", async () => {
    await renderWithApi(<AdoptionDashboard />, { api: api() });
    const header = await screen.findByRole('columnheader', {
      name: 'Failing checks',
    });
    const table = header.closest('table')!;
    const tr = (await within(table).findByText('Storefront')).closest('tr')!;
    const headers = within(table)
      .getAllByRole('columnheader')
      .map(h => h.textContent);
    const cells = within(tr)
      .getAllByRole('cell')
      .map(c => c.textContent);
    expect(cells[headers.indexOf('Failing checks')]).toBe('2');
    expect(cells[headers.indexOf('Critical checks')]).toBe('1');
  });
});
