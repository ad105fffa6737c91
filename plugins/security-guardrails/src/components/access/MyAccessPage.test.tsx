import { fireEvent, screen, waitFor } from '@testing-library/react';
import { MyAccessPage } from './MyAccessPage';
import { mockApi, request } from '../../__testUtils__/fixtures';
import { renderWithApi } from '../../__testUtils__/render';

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
      screen.getByText(
        (_, el) =>
          el?.tagName === 'P' &&
          /^Approved by Sam Security · until /.test(el.textContent ?? ''),
      ),
    ).toBeInTheDocument();
    // How to use it: the user, role, namespace and the kubectl to start with.
    const usage = screen.getByTestId('how-to-use-access');
    expect(usage).toHaveTextContent(
      `On cluster demo, your Kubernetes user ${
        active.subject
      } holds the ClusterRole ${active.clusterRole} in ${
        active.namespaces![0]
      }`,
    );
    expect(usage).toHaveTextContent(
      `kubectl -n ${active.namespaces![0]} auth can-i --list`,
    );
    expect(screen.getAllByTestId('how-to-use-access')).toHaveLength(1);
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
