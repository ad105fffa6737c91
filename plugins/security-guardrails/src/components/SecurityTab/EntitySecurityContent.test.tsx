import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { EntitySecurityContent } from './EntitySecurityContent';
import { mockApi, POSTURE, SERVICE } from '../../__testUtils__/fixtures';
import { renderWithApi } from '../../__testUtils__/render';

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

  it('opens on the check a link names: its rows shown even when passing, marked and scrolled to', async () => {
    const scrolled = jest.fn();
    Element.prototype.scrollIntoView = scrolled;
    try {
      await renderWithApi(<EntitySecurityContent />, {
        api: mockApi(),
        entity: SERVICE,
        path: '/catalog/default/component/storefront/security?check=probe.readiness',
      });
      // A passing result, shown without "Show passing" because the link names it.
      const message = await screen.findByText('Has a readiness probe.');
      const row = message.closest('tr')!;
      expect(row).toHaveStyle('outline: 2px solid rgba(25, 118, 210, 0.6)');
      expect(row.querySelector('#sg-check-probe-readiness')).not.toBeNull();
      await waitFor(() => expect(scrolled).toHaveBeenCalled());
      expect(scrolled.mock.contexts[0]).toHaveAttribute(
        'id',
        'sg-check-probe-readiness',
      );
    } finally {
      delete (Element.prototype as any).scrollIntoView;
    }
  });

  it('keeps the last posture in view, marked out of date, while the backend is away', async () => {
    const getPosture = jest
      .fn()
      .mockResolvedValueOnce(POSTURE)
      .mockRejectedValueOnce(new TypeError('Failed to fetch'))
      .mockResolvedValue(POSTURE);
    const api = mockApi({ getPosture });
    await renderWithApi(<EntitySecurityContent />, { api, entity: SERVICE });
    expect(await screen.findByText('Implementation')).toBeInTheDocument();
    // The refresh reaches the backend; the reload after it does not.
    fireEvent.click(screen.getByRole('button', { name: 'Refresh' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent(
      'The Security Guardrails backend cannot be reached',
    );
    expect(alert).toHaveTextContent(
      /Showing this posture as loaded .*; it may be out of date\./,
    );
    expect(screen.getByText('Implementation')).toBeInTheDocument();
    // Retry brings it back and the alert goes.
    fireEvent.click(within(alert).getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(screen.queryByRole('alert')).toBeNull());
    expect(getPosture).toHaveBeenCalledTimes(3);
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
    // The fix filled in for this object and container, to copy.
    const filled = screen.getByTestId('filled-fix');
    expect(filled).toHaveTextContent(
      'For Deployment shop-web/storefront, container web',
    );
    expect(filled.textContent).toMatch(
      /containers:\s+- name: web\s+securityContext:\s+privileged: false/,
    );
    expect(filled.textContent).toContain(
      'kubectl -n shop-web patch deployment/storefront --type strategic',
    );
    expect(filled).toHaveTextContent('add that capability alone');
    expect(
      within(filled).getAllByRole('button', { name: /copy/i }),
    ).toHaveLength(2);
    // The generic example has its own copy button; references are links.
    expect(
      screen.getByText('PSS baseline: Privileged Containers').closest('a'),
    ).toHaveAttribute(
      'href',
      'https://kubernetes.io/docs/concepts/security/pod-security-standards/',
    );
    const references = screen
      .getByText('PSS baseline: Privileged Containers')
      .closest('p')!;
    expect(references).toHaveTextContent(
      /^References: PSS baseline: Privileged Containers.* · rbac-tool$/,
    );
    expect(references.querySelectorAll('a')).toHaveLength(1);
  });

  it('shows the score trend from history', async () => {
    const api = mockApi();
    await renderWithApi(<EntitySecurityContent />, { api, entity: SERVICE });
    expect(
      await screen.findByText('60 (D) on 1 Nov → 72 (C) on 20 Nov'),
    ).toBeInTheDocument();
    // The chart has its axes: scores 0 to 100 and dates.
    const chart = screen.getByRole('img', {
      name: /^Score over the last 30 days: 60 on 1 Nov, 72 on /,
    });
    for (const tick of ['0', '50', '100', '1 Nov']) {
      expect(within(chart).getAllByText(tick).length).toBeGreaterThan(0);
    }
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

  it('lets an exemption name the active campaign that targets the check', async () => {
    const api = mockApi();
    await renderWithApi(<EntitySecurityContent />, { api, entity: SERVICE });
    const row = (
      await screen.findByText(/securityContext.privileged = true/)
    ).closest('tr')!;
    fireEvent.click(
      within(row).getByRole('button', { name: 'Request exemption' }),
    );
    const dialog = await screen.findByRole('dialog');
    fireEvent.mouseDown(
      await within(dialog).findByLabelText('Part of a campaign'),
    );
    fireEvent.click(
      await screen.findByRole('option', { name: 'No root in production' }),
    );
    fireEvent.change(within(dialog).getByLabelText(/Justification/), {
      target: { value: 'GPU driver needs it until Q1' },
    });
    fireEvent.click(
      within(dialog).getByRole('button', { name: 'Request exemption' }),
    );
    await waitFor(() =>
      expect(api.createExemptionRequest).toHaveBeenCalledWith(
        expect.objectContaining({
          checkId: 'sc.privileged',
          campaignId: '3f1c2b7e-5a0d-4c8e-9b7a-2d6f1e0c9a11',
        }),
      ),
    );
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
