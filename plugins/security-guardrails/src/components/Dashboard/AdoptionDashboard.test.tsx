import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { AdoptionDashboard } from './AdoptionDashboard';
import { mockApi, request, SUMMARY } from '../../__testUtils__/fixtures';
import { renderWithApi } from '../../__testUtils__/render';

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
    // Owners by display name, linked to their page; the ref on hover.
    expect(
      screen.getAllByText('Payments Team')[0].closest('a'),
    ).toHaveAttribute('href', '/catalog/default/group/payments');
    expect(screen.queryByText('group:default/payments')).toBeNull();
    expect(screen.getByText('90 → 95 (+5)')).toBeInTheDocument();
    expect(screen.getByText('75 → 72 (-3)')).toBeInTheDocument();
    expect(
      await screen.findByText(': edit in demo/shop-web', { exact: false }),
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

  it('scopes the whole page by owner, system and lifecycle, from the URL, and clears back to the organisation', async () => {
    const inScope = request({
      id: 'in',
      state: 'active',
      entityRef: 'component:default/storefront',
      expiresAt: new Date(Date.now() + 600_000).toISOString(),
    });
    const elsewhere = request({
      id: 'out',
      state: 'active',
      entityRef: 'component:default/checkout',
      requester: 'user:default/pat',
      expiresAt: new Date(Date.now() + 600_000).toISOString(),
    });
    const api = mockApi({
      listGrants: jest.fn().mockResolvedValue([inScope, elsewhere]),
    });
    await renderWithApi(<AdoptionDashboard />, {
      api,
      path: '/?owner=group%3Adefault%2Fpayments&lifecycle=production&by=system',
    });
    await screen.findByText('71.7');
    const scope = {
      owner: ['group:default/payments'],
      system: undefined,
      lifecycle: ['production'],
    };
    expect(api.getSummary).toHaveBeenCalledWith('system', scope);
    expect(api.getTrend).toHaveBeenCalledWith(30, scope);
    expect(api.listPostures).toHaveBeenCalledWith(
      expect.objectContaining({ ...scope, limit: 500 }),
    );
    // The access cards keep what concerns the services in scope.
    const grants = (await screen.findByText('Active temporary grants')).closest(
      'div[class*="MuiCard"]',
    ) as HTMLElement;
    await waitFor(() =>
      expect(within(grants).queryByText(/Pat|pat/)).toBeNull(),
    );
    expect(
      screen.getByText(
        'Every card counts only these services; copy the address to share this view.',
      ),
    ).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Clear filters' }));
    await waitFor(() =>
      expect(
        screen.getByText('Every card counts the whole organisation.'),
      ).toBeInTheDocument(),
    );
    expect(api.getTrend).toHaveBeenLastCalledWith(30, {
      owner: undefined,
      system: undefined,
      lifecycle: undefined,
    });
  });

  it('drills down from a check to the services failing it, with their owners', async () => {
    const api = mockApi();
    await renderWithApi(<AdoptionDashboard />, { api });
    await screen.findByText('71.7');
    fireEvent.click(
      screen.getByRole('button', { name: 'Services failing sc.privileged' }),
    );
    await waitFor(() =>
      expect(api.listPostures).toHaveBeenLastCalledWith(
        expect.objectContaining({ failingCheck: 'sc.privileged' }),
      ),
    );
    const chip = await screen.findByRole('button', {
      name: /Showing services failing sc.privileged/,
    });
    expect(chip).toHaveTextContent(
      'Failing Containers do not run privileged (sc.privileged)',
    );
    // Owners beside the services, by name.
    const services = document.getElementById('sg-services')!;
    expect(within(services).getAllByText('Web Team').length).toBeGreaterThan(0);
    // Removing the filter shows every service again.
    fireEvent.click(chip.querySelector('.MuiChip-deleteIcon')!);
    await waitFor(() =>
      expect(api.listPostures).toHaveBeenLastCalledWith(
        expect.objectContaining({ failingCheck: undefined }),
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
