import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { ChecksPage } from './ChecksPage/ChecksPage';
import { AdoptionDashboard } from './Dashboard/AdoptionDashboard';
import { RequestAccessDialog } from './access/RequestAccessDialog';
import { MyAccessPage } from './access/MyAccessPage';
import { ApprovalsPage } from './access/ApprovalsPage';
import { AuditPage } from './access/AuditPage';
import { toCsv } from './common/csv';
import { mockApi, request, SUMMARY } from '../__testUtils__/fixtures';
import { renderWithApi } from '../__testUtils__/render';

describe('ChecksPage', () => {
  it('says when a result can carry another severity than the check', async () => {
    const api = mockApi({
      getChecks: jest.fn().mockResolvedValue([
        {
          id: 'sc.host-path',
          title: 'No hostPath volumes',
          domain: 'implementation',
          severity: 'high',
          severityRule: "Critical when a volume reaches the node's secrets.",
          rationale: "hostPath volumes expose the node's filesystem.",
          remediation: 'Use emptyDir.\n\n```yaml\nemptyDir: {}\n```',
        },
      ]),
    });
    await renderWithApi(<ChecksPage />, {
      api,
      path: '/security/checks?check=sc.host-path',
    });
    expect(
      await screen.findByText(
        /high by default\. Critical when a volume reaches/,
      ),
    ).toHaveTextContent(
      "Severity: high by default. Critical when a volume reaches the node's secrets. Each result shows its own.",
    );
  });

  it('lists checks by domain, searches, and shows the remediation of the selected one', async () => {
    const api = mockApi();
    await renderWithApi(<ChecksPage />, {
      api,
      path: '/security/checks?check=net.policy-coverage',
    });
    expect(await screen.findByText('Checks (3)')).toBeInTheDocument();
    expect(
      screen.getByRole('heading', {
        name: 'NetworkPolicies cover ingress and egress',
      }),
    ).toBeInTheDocument();
    await waitFor(() =>
      expect(document.body.textContent).toContain('kind: NetworkPolicy'),
    );
    fireEvent.change(screen.getByLabelText('Search checks'), {
      target: { value: 'privileged' },
    });
    expect(
      screen.queryByText('Root filesystem is read-only'),
    ).not.toBeInTheDocument();
    fireEvent.change(screen.getByLabelText('Search checks'), {
      target: { value: 'zzz' },
    });
    expect(screen.getByText('No check matches "zzz".')).toBeInTheDocument();
  });

  it('shows backend errors', async () => {
    const api = mockApi({
      getChecks: jest.fn().mockRejectedValue(new Error('nope')),
    });
    await renderWithApi(<ChecksPage />, { api });
    expect((await screen.findAllByText(/nope/)).length).toBeGreaterThan(0);
  });
});

describe('AdoptionDashboard', () => {
  it('shows KPIs, grade distribution, groups, movers, grants, standing privileges and pass rates', async () => {
    const api = mockApi({
      listGrants: jest.fn().mockResolvedValue([
        request({
          state: 'active',
          expiresAt: new Date(Date.now() + 600_000).toISOString(),
        }),
      ]),
      listRequests: jest.fn().mockResolvedValue({
        items: [
          request({
            kind: 'exemption',
            state: 'active',
            checkId: 'sc.readonly-rootfs',
            expiresAt: '2026-12-01T00:00:00.000Z',
            justification: 'cache dir',
          }),
        ],
      }),
    });
    await renderWithApi(<AdoptionDashboard />, { api });
    expect(await screen.findByText('71.7')).toBeInTheDocument();
    expect(screen.getByText('33%')).toBeInTheDocument();
    expect(screen.getByText('7 days: +2.5 · 30 days: –')).toBeInTheDocument();
    const distribution = screen.getByRole('list', {
      name: 'Services per grade',
    });
    expect(within(distribution).getAllByText('1 service')).toHaveLength(3);
    expect(screen.getByText('group:default/payments')).toBeInTheDocument();
    expect(screen.getByText('90 → 95 (+5)')).toBeInTheDocument();
    expect(screen.getByText('75 → 72 (-3)')).toBeInTheDocument();
    expect(
      await screen.findByText('user:default/dana: edit in demo/shop-web'),
    ).toBeInTheDocument();
    const standing = await screen.findByRole('list', {
      name: 'Standing privileges and expired bindings',
    });
    // Owned by a service or not, every flagged binding is listed.
    expect(standing).toHaveTextContent(
      'RoleBinding/shop-web/dana-edit-incident-4102 (demo)',
    );
    expect(standing).toHaveTextContent(
      'maint.expired-binding: Expired at 2026-10-03T18:00:00Z and still present.',
    );
    expect(standing).toHaveTextContent(
      'ClusterRoleBinding/olga-cluster-admin (demo)',
    );
    expect(standing).toHaveTextContent('unowned');
    expect(await screen.findByText(/cache dir/)).toBeInTheDocument();
    expect(screen.getByText('67%')).toBeInTheDocument();
    expect(api.listRequests).toHaveBeenCalledWith('exemption', {
      view: 'all',
      state: ['active'],
      limit: 200,
    });
  });

  it('regroups and filters services', async () => {
    const api = mockApi();
    await renderWithApi(<AdoptionDashboard />, { api });
    await screen.findByText('71.7');
    fireEvent.mouseDown(screen.getByRole('button', { name: /Group by/ }));
    fireEvent.click(await screen.findByRole('option', { name: 'system' }));
    await waitFor(() => expect(api.getSummary).toHaveBeenCalledWith('system'));
    fireEvent.mouseDown(screen.getByLabelText('Grade'));
    fireEvent.click(await screen.findByRole('option', { name: 'F' }));
    await waitFor(() =>
      expect(api.listPostures).toHaveBeenLastCalledWith(
        expect.objectContaining({ grade: ['F'] }),
      ),
    );
  });

  it('explains what to do when nothing has been evaluated', async () => {
    const api = mockApi({
      getSummary: jest.fn().mockResolvedValue({
        ...SUMMARY,
        overall: { ...SUMMARY.overall, services: 0 },
        groups: [],
      }),
    });
    await renderWithApi(<AdoptionDashboard />, { api });
    expect(await screen.findByText('No posture yet')).toBeInTheDocument();
  });
});

describe('csv', () => {
  it('quotes cells that need it', () => {
    expect(toCsv([['a', 'b,c', 'say "hi"', null, 3]])).toBe(
      'a,"b,c","say ""hi""",,3\r\n',
    );
  });
});

describe('RequestAccessDialog', () => {
  it('offers the roles with their limits, previews the RoleBinding and sends the request', async () => {
    const api = mockApi();
    const onCreated = jest.fn();
    await renderWithApi(
      <RequestAccessDialog
        open
        entityRef="component:default/storefront"
        onClose={() => {}}
        onCreated={onCreated}
      />,
      { api },
    );
    const dialog = await screen.findByRole('dialog');
    expect(
      within(dialog).getByText(
        /up to 4 h, 1 approval by owners or security-leads/,
      ),
    ).toBeInTheDocument();
    expect(
      within(dialog).getByText(/up to 8 h, granted at once/),
    ).toBeInTheDocument();
    await waitFor(() =>
      expect(dialog.textContent).toContain('name: dana@acme.example'),
    );
    expect(dialog.textContent).toContain('name: edit');
    const submit = within(dialog).getByRole('button', {
      name: 'Request access',
    });
    expect(submit).toBeDisabled();
    fireEvent.click(within(dialog).getByLabelText('shop-jobs'));
    fireEvent.change(within(dialog).getByLabelText(/Justification/), {
      target: { value: 'Debugging INC-4211 now' },
    });
    fireEvent.change(within(dialog).getByLabelText(/Ticket/), {
      target: { value: 'INC-4211' },
    });
    fireEvent.click(submit);
    await waitFor(() =>
      expect(api.createAccessRequest).toHaveBeenCalledWith({
        entityRef: 'component:default/storefront',
        role: 'edit',
        cluster: 'demo',
        namespaces: ['shop-web', 'shop-jobs'],
        durationSeconds: 1800,
        justification: 'Debugging INC-4211 now',
        ticket: 'INC-4211',
      }),
    );
    expect(
      await within(dialog).findByText(
        /Waiting for 1 approval\(s\) by group:default\/security-leads or group:default\/web/,
      ),
    ).toBeInTheDocument();
    expect(onCreated).toHaveBeenCalled();
  });

  it('shows the rule the backend refused with', async () => {
    const api = mockApi({
      createAccessRequest: jest
        .fn()
        .mockRejectedValue(
          new Error(
            'Refused by rule concurrent-grant-limit: you already hold 3 grant(s)',
          ),
        ),
    });
    await renderWithApi(
      <RequestAccessDialog
        open
        entityRef="component:default/storefront"
        onClose={() => {}}
      />,
      { api },
    );
    const dialog = await screen.findByRole('dialog');
    await waitFor(() =>
      expect(
        within(dialog).getByLabelText(/Justification/),
      ).toBeInTheDocument(),
    );
    fireEvent.change(within(dialog).getByLabelText(/Justification/), {
      target: { value: 'Debugging INC-4211 now' },
    });
    fireEvent.click(
      within(dialog).getByRole('button', { name: 'Request access' }),
    );
    expect(
      (await within(dialog).findAllByText(/concurrent-grant-limit/)).length,
    ).toBeGreaterThan(0);
  });

  it('says when no cluster can take grants', async () => {
    const api = mockApi({
      getAccessTargets: jest
        .fn()
        .mockResolvedValue({ entityRef: 'x', targets: [] }),
    });
    await renderWithApi(
      <RequestAccessDialog
        open
        entityRef="component:default/storefront"
        onClose={() => {}}
      />,
      { api },
    );
    expect(
      await screen.findByText(
        /No cluster can take grants for this service yet/,
      ),
    ).toBeInTheDocument();
  });
});

describe('MyAccessPage', () => {
  it('shows active grants with a countdown, pending requests and history, and revokes', async () => {
    const active = request({
      id: 'a1',
      state: 'active',
      expiresAt: new Date(Date.now() + 25 * 60_000).toISOString(),
      approvals: [
        { approver: 'user:default/sam', decision: 'approve', at: 'x' },
      ],
    });
    const pending = request({ id: 'p1', role: 'view' });
    const old = request({
      id: 'o1',
      state: 'expired',
      endedAt: new Date(Date.now() - 3600_000).toISOString(),
      endReason: 'expired',
    });
    const api = mockApi({
      listRequests: jest.fn().mockImplementation(async (kind: string) => ({
        items: kind === 'access' ? [active, pending, old] : [],
      })),
    });
    await renderWithApi(<MyAccessPage />, { api });
    expect(await screen.findByRole('timer')).toHaveTextContent(
      /^2\d min( \d+ s)? left$/,
    );
    expect(
      screen.getByText(/^Approved by user:default\/sam · until /),
    ).toBeInTheDocument();
    expect(screen.getByText('History')).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Cancel request' }),
    ).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Revoke now' }));
    await waitFor(() =>
      expect(api.actOnRequest).toHaveBeenCalledWith('access', 'a1', 'revoke'),
    );
  });

  it('shows a failing apply with its error and the retry', async () => {
    const failing = request({
      state: 'approved',
      lastError: 'API server unavailable (503)',
      attempts: 2,
      nextAttemptAt: new Date(Date.now() + 20_000).toISOString(),
    });
    const api = mockApi({
      listRequests: jest.fn().mockImplementation(async (kind: string) => ({
        items: kind === 'access' ? [failing] : [],
      })),
    });
    await renderWithApi(<MyAccessPage />, { api });
    expect(
      await screen.findByText(
        /Applying the access failed \(2 attempts\): API server unavailable \(503\)/,
      ),
    ).toBeInTheDocument();
  });

  it('has an empty state', async () => {
    await renderWithApi(<MyAccessPage />, { api: mockApi() });
    expect(await screen.findByText('No open requests')).toBeInTheDocument();
  });
});

describe('ApprovalsPage', () => {
  it('approves and denies with a reason', async () => {
    const api = mockApi({
      listRequests: jest.fn().mockImplementation(async (kind: string) => ({
        items:
          kind === 'access'
            ? [
                request({ id: 'r1' }),
                request({ id: 'r2', requester: 'user:default/riley' }),
              ]
            : [],
      })),
    });
    await renderWithApi(<ApprovalsPage />, { api });
    expect(
      await screen.findByText('Waiting for your decision (2)'),
    ).toBeInTheDocument();
    fireEvent.click(
      screen.getByRole('button', { name: /Approve .* for user:default\/dana/ }),
    );
    await waitFor(() =>
      expect(api.actOnRequest).toHaveBeenCalledWith(
        'access',
        'r1',
        'approve',
        undefined,
      ),
    );
    fireEvent.click(
      screen.getByRole('button', { name: /Deny .* for user:default\/riley/ }),
    );
    const dialog = await screen.findByRole('dialog');
    const deny = within(dialog).getByRole('button', { name: 'Deny' });
    expect(deny).toBeDisabled();
    fireEvent.change(within(dialog).getByLabelText(/Why/), {
      target: { value: 'use view instead' },
    });
    fireEvent.click(deny);
    await waitFor(() =>
      expect(api.actOnRequest).toHaveBeenCalledWith(
        'access',
        'r2',
        'deny',
        'use view instead',
      ),
    );
  });

  it('has an empty state', async () => {
    await renderWithApi(<ApprovalsPage />, { api: mockApi() });
    expect(
      await screen.findByText('Nothing waiting for you'),
    ).toBeInTheDocument();
  });
});

describe('AuditPage', () => {
  const events = {
    items: [
      {
        id: 2,
        requestId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
        requestKind: 'access',
        event: 'applied',
        actor: 'system:security-guardrails',
        entityRef: 'component:default/storefront',
        at: '2026-11-22T12:02:00.000Z',
      },
      {
        id: 1,
        requestId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
        requestKind: 'access',
        event: 'approved',
        actor: 'user:default/sam',
        entityRef: 'component:default/storefront',
        at: '2026-11-22T12:01:00.000Z',
        reason: 'go',
      },
    ],
    nextCursor: '1',
  };

  it('lists events, filters them and pages back', async () => {
    const api = mockApi({ getAudit: jest.fn().mockResolvedValue(events) });
    await renderWithApi(<AuditPage />, { api });
    expect(await screen.findByText('user:default/sam')).toBeInTheDocument();
    expect(
      screen.queryByText(/You see the history of your own requests/),
    ).not.toBeInTheDocument();
    fireEvent.change(screen.getByLabelText('Actor'), {
      target: { value: 'user:default/sam' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Filter' }));
    await waitFor(() =>
      expect(api.getAudit).toHaveBeenLastCalledWith(
        expect.objectContaining({ actor: 'user:default/sam' }),
      ),
    );
    fireEvent.click(
      await screen.findByRole('button', { name: 'Load older events' }),
    );
    await waitFor(() =>
      expect(api.getAudit).toHaveBeenLastCalledWith(
        expect.objectContaining({ cursor: '1' }),
      ),
    );
  });

  it('tells people without audit.read what they see', async () => {
    await renderWithApi(<AuditPage />, {
      api: mockApi(),
      permission: AuthorizeResult.DENY,
    });
    expect(
      await screen.findByText(
        /You see the history of your own requests and decisions/,
        {},
        { timeout: 5000 },
      ),
    ).toBeInTheDocument();
  });
});
