import { fireEvent, screen, waitFor } from '@testing-library/react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { AuditPage } from './AuditPage';
import { mockApi } from '../../__testUtils__/fixtures';
import { renderWithApi } from '../../__testUtils__/render';

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
    expect(await screen.findByText('Sam Security')).toBeInTheDocument();
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
