import {
  act,
  fireEvent,
  screen,
  waitFor,
  within,
} from '@testing-library/react';
import {
  failureCounts,
  failureLabel,
} from '@internal/backstage-plugin-security-guardrails-common';
import { NOT_EVALUATED_POLL_MS } from './common/usePosture';
import { ResponseError } from '@backstage/errors';
import { EntitySecurityCard } from './PostureCard/EntitySecurityCard';
import { EntitySecurityContent } from './SecurityTab/EntitySecurityContent';
import { GroupSecurityCard } from './Dashboard/GroupSecurityCard';
import {
  GROUP,
  mockApi,
  POSTURE,
  SERVICE,
  UNMAPPED,
} from '../__testUtils__/fixtures';
import { renderWithApi } from '../__testUtils__/render';

async function notFound(message = 'not evaluated yet') {
  return ResponseError.fromResponse(
    new Response(
      JSON.stringify({
        error: { name: 'NotFoundError', message },
        request: { method: 'GET', url: '/api/security-guardrails/posture' },
        response: { statusCode: 404 },
      }),
      {
        status: 404,
        headers: { 'Content-Type': 'application/json' },
      },
    ) as any,
  );
}

describe('EntitySecurityCard', () => {
  it('shows grade, score, the explanation, domains and top failures', async () => {
    const api = mockApi();
    await renderWithApi(<EntitySecurityCard />, { api, entity: SERVICE });
    // 2 (probe) + 4 (owner) passing, 8 (critical) failing, 2 warning: 100 × 6 / (6 + 8 + 1) = 40.
    expect(
      (await screen.findAllByRole('img', { name: 'Grade F' })).length,
    ).toBeGreaterThan(0);
    expect(screen.getByTestId('overall-score')).toHaveTextContent('40 / 100');
    expect(screen.getByText(/Why this grade:/)).toHaveTextContent(
      '100 × 6 / (6 + 8 + 2/2) = 40 → F',
    );
    expect(screen.getByText(/Implementation/)).toBeInTheDocument();
    expect(
      await screen.findByText('Containers do not run privileged'),
    ).toBeInTheDocument();
    expect(screen.getByText('CRITICAL')).toBeInTheDocument();
    // The same "failing checks" as every view (failureCounts.test.tsx).
    expect(
      screen.getByText(
        `Top failures: ${failureLabel(failureCounts(POSTURE.results))}`,
      ),
    ).toBeInTheDocument();
    expect(screen.getByText(/Evaluated .* from demo/)).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Request access' }),
    ).toBeInTheDocument();
    expect(api.getPosture).toHaveBeenCalledWith('component:default/storefront');
  });

  it('tells how to map a service that has no Kubernetes annotation, without calling the backend', async () => {
    const api = mockApi();
    await renderWithApi(<EntitySecurityCard />, { api, entity: UNMAPPED });
    expect(
      screen.getByText('No Kubernetes objects are mapped to this service'),
    ).toBeInTheDocument();
    expect(document.body.textContent).toContain(
      'backstage.io/kubernetes-id: docs-site',
    );
    expect(api.getPosture).not.toHaveBeenCalled();
  });

  it('offers to evaluate a service that has not been evaluated yet', async () => {
    const api = mockApi({
      getPosture: jest.fn().mockRejectedValue(await notFound()),
    });
    await renderWithApi(<EntitySecurityCard />, { api, entity: SERVICE });
    fireEvent.click(
      await screen.findByRole('button', { name: 'Evaluate now' }),
    );
    await waitFor(() =>
      expect(api.refreshPosture).toHaveBeenCalledWith(
        'component:default/storefront',
      ),
    );
  });

  it("says why a service waits, in the backend's words", async () => {
    const reason =
      'Waiting for cluster state: cluster demo unreachable since 2026-12-01T10:00:00.000Z (connection refused). It is evaluated as soon as the cluster can be read.';
    const api = mockApi({
      getPosture: jest.fn().mockRejectedValue(await notFound(reason)),
    });
    await renderWithApi(<EntitySecurityCard />, { api, entity: SERVICE });
    expect(await screen.findByText(reason)).toBeInTheDocument();
  });

  it('shows the posture as soon as the first evaluation has stored it', async () => {
    jest.useFakeTimers({ advanceTimers: true });
    try {
      const getPosture = jest
        .fn()
        .mockRejectedValueOnce(await notFound())
        .mockResolvedValue(POSTURE);
      const api = mockApi({ getPosture });
      await renderWithApi(<EntitySecurityCard />, { api, entity: SERVICE });
      expect(await screen.findByText('Not evaluated yet')).toBeInTheDocument();
      await act(async () => {
        jest.advanceTimersByTime(NOT_EVALUATED_POLL_MS);
      });
      expect(await screen.findByText(/Why this grade:/)).toBeInTheDocument();
      expect(getPosture).toHaveBeenCalledTimes(2);
    } finally {
      jest.useRealTimers();
    }
  });

  it('shows errors from the backend', async () => {
    const api = mockApi({
      getPosture: jest.fn().mockRejectedValue(new Error('backend down')),
    });
    await renderWithApi(<EntitySecurityCard />, { api, entity: SERVICE });
    expect((await screen.findAllByText(/backend down/)).length).toBeGreaterThan(
      0,
    );
  });

  it('warns when the posture is stale', async () => {
    const api = mockApi();
    const posture = await api.getPosture('x');
    api.getPosture.mockResolvedValue({
      ...posture,
      stale: true,
      clusters: [{ ...posture.clusters[0], status: 'unreachable' }],
    });
    await renderWithApi(<EntitySecurityCard />, { api, entity: SERVICE });
    expect(
      await screen.findByText(/could not be read at the last refresh/),
    ).toBeInTheDocument();
  });
});

describe('EntitySecurityContent', () => {
  it('lists failing, warning and exempt checks by domain with evidence and failing since', async () => {
    const api = mockApi();
    await renderWithApi(<EntitySecurityContent />, { api, entity: SERVICE });
    expect(await screen.findByText('Implementation')).toBeInTheDocument();
    expect(
      screen.getByText(/securityContext.privileged = true/),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        /Exempt until 2026-12-22 \(request, approved by user:default\/sam\): Next.js cache/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Only Ingress is restricted; Egress is open.'),
    ).toBeInTheDocument();
    // Passing results are hidden until asked for.
    expect(
      screen.queryByText('Has a readiness probe.'),
    ).not.toBeInTheDocument();
    fireEvent.click(screen.getByRole('checkbox', { name: /Show passing/ }));
    expect(
      await screen.findByText('Has a readiness probe.'),
    ).toBeInTheDocument();
  });

  it('shows active temporary grants apart from the graded results', async () => {
    const expiresAt = new Date(Date.now() + 3600_000).toISOString();
    const api = mockApi({
      getPosture: jest.fn().mockResolvedValue({
        ...POSTURE,
        results: [
          ...POSTURE.results,
          {
            checkId: 'maint.standing-privilege',
            status: 'not-applicable',
            severity: 'high',
            domain: 'maintenance',
            resource: {
              cluster: 'demo',
              apiVersion: 'rbac.authorization.k8s.io/v1',
              kind: 'RoleBinding',
              namespace: 'storefront',
              name: 'security-guardrails-req-1',
            },
            message: 'Temporary access granted through Security Guardrails.',
            temporaryAccess: {
              grantId: 'req-1',
              subjects: ['User alice@example.com'],
              clusterRole: 'edit',
              expiresAt,
            },
          },
        ],
      }),
    });
    await renderWithApi(<EntitySecurityContent />, { api, entity: SERVICE });
    const list = await screen.findByRole('list', {
      name: 'Active temporary access',
    });
    expect(list).toHaveTextContent(
      'User alice@example.com holds edit in demo/storefront until',
    );
    expect(list).toHaveTextContent(
      '(request req-1, RoleBinding security-guardrails-req-1)',
    );
    // It is not a graded row, even with passing results shown.
    fireEvent.click(screen.getByRole('checkbox', { name: /Show passing/ }));
    expect(
      screen.queryByText(
        'Temporary access granted through Security Guardrails.',
      ),
    ).not.toBeInTheDocument();
  });

  it('opens the remediation of a check in place', async () => {
    const api = mockApi();
    await renderWithApi(<EntitySecurityContent />, { api, entity: SERVICE });
    const row = (
      await screen.findByText(/securityContext.privileged = true/)
    ).closest('tr')!;
    expect(document.body.textContent).not.toContain('privileged: false');
    fireEvent.click(within(row).getByRole('button', { name: 'How to fix it' }));
    await waitFor(() =>
      expect(document.body.textContent).toContain('privileged: false'),
    );
    expect(
      screen.getByRole('heading', { name: 'Containers do not run privileged' }),
    ).toBeInTheDocument();
  });

  it('shows the score trend from history', async () => {
    const api = mockApi();
    await renderWithApi(<EntitySecurityContent />, { api, entity: SERVICE });
    expect(
      await screen.findByText('60 (D) on 2026-11-01 → 72 (C) on 2026-11-20'),
    ).toBeInTheDocument();
    expect(screen.getByText(/1 check result fixed/)).toBeInTheDocument();
  });

  it('requests an exemption for a failing check', async () => {
    const api = mockApi();
    await renderWithApi(<EntitySecurityContent />, { api, entity: SERVICE });
    const row = (
      await screen.findByText(/securityContext.privileged = true/)
    ).closest('tr')!;
    fireEvent.click(
      within(row).getByRole('button', { name: 'Request exemption' }),
    );
    const dialog = await screen.findByRole('dialog');
    // The exemption button does not also toggle the remediation panel.
    expect(document.body.textContent).not.toContain('privileged: false');
    fireEvent.change(within(dialog).getByLabelText(/Justification/), {
      target: { value: 'GPU driver needs it until Q1' },
    });
    fireEvent.click(
      within(dialog).getByRole('button', { name: 'Request exemption' }),
    );
    await waitFor(() =>
      expect(api.createExemptionRequest).toHaveBeenCalledWith(
        expect.objectContaining({
          entityRef: 'component:default/storefront',
          checkId: 'sc.privileged',
          durationSeconds: 30 * 86400,
          scope: {
            cluster: 'demo',
            namespace: 'shop-web',
            kind: 'Deployment',
            name: 'storefront',
          },
        }),
      ),
    );
    expect(
      await within(dialog).findByText(
        /Requested: waiting for group:default\/security-leads/,
      ),
    ).toBeInTheDocument();
  });

  it('refreshes on demand and shows the rate limit answer', async () => {
    const api = mockApi({
      refreshPosture: jest
        .fn()
        .mockRejectedValue(
          new Error('This entity was refreshed moments ago; try again in 20 s'),
        ),
    });
    await renderWithApi(<EntitySecurityContent />, { api, entity: SERVICE });
    fireEvent.click(await screen.findByRole('button', { name: 'Refresh' }));
    expect(
      (await screen.findAllByText(/try again in 20 s/)).length,
    ).toBeGreaterThan(0);
  });
});

describe('GroupSecurityCard', () => {
  it('rolls up the team services', async () => {
    const api = mockApi();
    await renderWithApi(<GroupSecurityCard />, { api, entity: GROUP });
    expect(
      await screen.findByText(
        /2 services · average score 60 · 0% at B or better · 4 critical failing checks/,
      ),
    ).toBeInTheDocument();
    expect(api.listPostures).toHaveBeenCalledWith({
      owner: ['group:default/web'],
      limit: 500,
    });
    expect(screen.getByText('component:default/search')).toBeInTheDocument();
  });

  it('says when the team owns no evaluated service', async () => {
    const api = mockApi({
      listPostures: jest.fn().mockResolvedValue({ items: [] }),
    });
    await renderWithApi(<GroupSecurityCard />, { api, entity: GROUP });
    expect(
      await screen.findByText('No evaluated services'),
    ).toBeInTheDocument();
  });
});
