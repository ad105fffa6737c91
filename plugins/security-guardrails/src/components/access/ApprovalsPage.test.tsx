import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { ApprovalsPage } from './ApprovalsPage';
import { mockApi, request } from '../../__testUtils__/fixtures';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { notificationsApiRef } from '@backstage/plugin-notifications';
import { renderWithApi } from '../../__testUtils__/render';

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

  it('shows what to decide on: the RoleBinding, what the requester holds, the posture; the comment goes with the approval', async () => {
    const pending = request({ id: 'r1', justification: 'INC-4211: cache' });
    const held = request({
      id: 'g1',
      state: 'active',
      role: 'view',
      namespaces: ['shop-api'],
      expiresAt: new Date(Date.now() + 600_000).toISOString(),
    });
    const api = mockApi({
      listRequests: jest
        .fn()
        .mockImplementation(async (kind: string, q: { view: string }) => {
          if (kind !== 'access') return { items: [] };
          if (q.view === 'to-approve') return { items: [pending] };
          if (q.view === 'all') return { items: [held] };
          return { items: [] };
        }),
    });
    await renderWithApi(<ApprovalsPage />, { api });
    const context = await screen.findByTestId('approval-context');
    // The RoleBinding approving applies, as the backend writes it.
    await waitFor(() =>
      expect(context).toHaveTextContent('name: security-guardrails-r1'),
    );
    expect(context.textContent).toContain('namespace: shop-web');
    expect(context.textContent).toContain('name: edit');
    expect(context.textContent).toContain('name: dana@acme.example');
    expect(context.textContent).toContain(
      'security-guardrails.io/justification: "INC-4211: cache"',
    );
    // What the requester already holds, and the service's posture.
    expect(context).toHaveTextContent(
      'The requester already holds: view in demo: shop-api for 30 min.',
    );
    expect(
      await within(context).findByText(/Service posture 40 \/ 100/),
    ).toBeInTheDocument();
    fireEvent.change(screen.getByLabelText(/Comment \(optional/), {
      target: { value: 'ok for the incident' },
    });
    fireEvent.click(screen.getByRole('button', { name: /^Approve / }));
    await waitFor(() =>
      expect(api.actOnRequest).toHaveBeenCalledWith(
        'access',
        'r1',
        'approve',
        'ok for the incident',
      ),
    );
  });

  it("clears the approver's notifications about a request once it is decided", async () => {
    const notificationsApi = {
      getNotifications: jest.fn().mockResolvedValue({
        notifications: [
          { id: 'n1', payload: { title: 'x', scope: 'request:r1' } },
          { id: 'n2', payload: { title: 'y', scope: 'request:other' } },
        ],
        totalCount: 2,
      }),
      updateNotifications: jest.fn().mockResolvedValue([]),
    };
    const api = mockApi({
      listRequests: jest.fn().mockImplementation(async (kind: string) => ({
        items: kind === 'access' ? [request({ id: 'r1' })] : [],
      })),
    });
    await renderWithApi(<ApprovalsPage />, {
      api,
      apis: [[notificationsApiRef, notificationsApi]],
    });
    fireEvent.click(await screen.findByRole('button', { name: /^Approve / }));
    await waitFor(() =>
      expect(notificationsApi.updateNotifications).toHaveBeenCalledWith({
        ids: ['n1'],
        read: true,
      }),
    );
    expect(notificationsApi.getNotifications).toHaveBeenCalledWith(
      expect.objectContaining({ topic: 'security-guardrails', read: false }),
    );
  });

  it('lists what one decided lately, with the decision and comment', async () => {
    const decided = request({
      id: 'd1',
      state: 'denied',
      approvals: [
        {
          approver: 'user:default/dana',
          decision: 'deny',
          comment: 'use view instead',
          at: new Date(Date.now() - 3600_000).toISOString(),
        },
      ],
      requester: 'user:default/sam',
    });
    const api = mockApi({
      listRequests: jest
        .fn()
        .mockImplementation(async (kind: string, q: { view: string }) => ({
          items: kind === 'access' && q.view === 'decided' ? [decided] : [],
        })),
    });
    await renderWithApi(<ApprovalsPage />, { api });
    const list = await screen.findByRole('list', {
      name: 'Recently decided by you',
    });
    await waitFor(() =>
      expect(list).toHaveTextContent(
        /edit in demo: shop-web for 30 min for Sam Security.*You denied 1 hour ago: “use view instead”/,
      ),
    );
  });

  it('lets security leads revoke an active grant, with a reason for the audit', async () => {
    const grant = request({
      id: 'g1',
      state: 'active',
      expiresAt: new Date(Date.now() + 600_000).toISOString(),
    });
    const api = mockApi({ listGrants: jest.fn().mockResolvedValue([grant]) });
    await renderWithApi(<ApprovalsPage />, { api });
    const active = await screen.findByRole('list', {
      name: 'Active grants and exemptions',
    });
    fireEvent.click(
      await within(active).findByRole('button', { name: /^Revoke: / }),
    );
    const dialog = await screen.findByRole('dialog');
    const revoke = within(dialog).getByRole('button', { name: 'Revoke' });
    expect(revoke).toBeDisabled();
    fireEvent.change(within(dialog).getByLabelText(/Reason/), {
      target: { value: 'incident closed' },
    });
    fireEvent.click(revoke);
    await waitFor(() =>
      expect(api.actOnRequest).toHaveBeenCalledWith(
        'access',
        'g1',
        'revoke',
        'incident closed',
      ),
    );
  });

  it('offers no revocation to those who are not security leads', async () => {
    const grant = request({
      id: 'g1',
      state: 'active',
      expiresAt: new Date(Date.now() + 600_000).toISOString(),
    });
    const api = mockApi({ listGrants: jest.fn().mockResolvedValue([grant]) });
    await renderWithApi(<ApprovalsPage />, {
      api,
      permission: AuthorizeResult.DENY,
    });
    await screen.findByText(/Waiting for your decision/);
    expect(screen.queryByRole('button', { name: /^Revoke: / })).toBeNull();
    expect(
      screen.queryByRole('list', { name: 'Active grants and exemptions' }),
    ).toBeNull();
  });

  it('has an empty state', async () => {
    await renderWithApi(<ApprovalsPage />, { api: mockApi() });
    expect(
      await screen.findByText('Nothing waiting for you'),
    ).toBeInTheDocument();
  });
});
