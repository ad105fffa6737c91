import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { ApprovalsPage } from './ApprovalsPage';
import { mockApi, request } from '../../__testUtils__/fixtures';
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

  it('has an empty state', async () => {
    await renderWithApi(<ApprovalsPage />, { api: mockApi() });
    expect(
      await screen.findByText('Nothing waiting for you'),
    ).toBeInTheDocument();
  });
});
