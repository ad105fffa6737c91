import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { CampaignsPage } from './CampaignsPage';
import { campaignStateText, daysLeftText } from './CampaignProgressView';
import {
  CAMPAIGN,
  CAMPAIGN_PROGRESS,
  mockApi,
} from '../../__testUtils__/fixtures';
import { renderWithApi } from '../../__testUtils__/render';

describe('CampaignsPage', () => {
  it('lists campaigns with their progress, and opens one with its teams and what is left', async () => {
    const api = mockApi();
    await renderWithApi(<CampaignsPage />, { api });
    expect(await screen.findByText('Campaigns (1)')).toBeInTheDocument();
    expect(
      await screen.findByText('1 of 3 services done (33 %)'),
    ).toBeInTheDocument();
    fireEvent.click(
      screen.getByRole('button', { name: 'No root in production: details' }),
    );
    const detail = await screen.findByTestId('campaign-progress');
    const teams = within(detail).getByRole('list', {
      name: 'Progress by team',
    });
    expect(teams).toHaveTextContent('Web Team0 of 2 done');
    const todo = within(detail).getByRole('list', {
      name: 'Services still to do',
    });
    expect(todo).toHaveTextContent('Storefront');
    await waitFor(() =>
      expect(todo).toHaveTextContent('Containers do not run privileged'),
    );
    expect(detail).toHaveTextContent('Applies to lifecycle production.');
    // Exemptions granted against it, with their state and end.
    const exemptions = within(detail).getByRole('list', {
      name: 'Exemptions granted against it',
    });
    expect(exemptions).toHaveTextContent(
      'active until 2027-01-15 · requested by user:default/dana',
    );
    // Done over time, from before the start, and who slipped back.
    expect(
      await screen.findByRole('img', {
        name: /^Share of services done: 0% on 17 Nov, 33% on 4 Dec$/,
      }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('list', { name: 'Regressed after meeting it' }),
    ).toHaveTextContent('searchmet it on 2026-12-02 · Web Team');
  });

  it('lets a security lead create a campaign, and end one', async () => {
    const api = mockApi();
    await renderWithApi(<CampaignsPage />, { api });
    fireEvent.click(
      await screen.findByRole('button', { name: 'New campaign' }),
    );
    const dialog = await screen.findByRole('dialog');
    const create = within(dialog).getByRole('button', { name: 'Create' });
    expect(create).toBeDisabled();
    fireEvent.change(within(dialog).getByLabelText(/^Name/), {
      target: { value: 'Owners and runbooks' },
    });
    fireEvent.change(within(dialog).getByLabelText(/^Catalog tags/), {
      target: { value: 'pci, java' },
    });
    fireEvent.change(within(dialog).getByLabelText(/^Clusters/), {
      target: { value: 'eu-1' },
    });
    fireEvent.mouseDown(within(dialog).getByLabelText('Minimum grade'));
    fireEvent.click(await screen.findByRole('option', { name: 'B or better' }));
    fireEvent.click(create);
    await waitFor(() =>
      expect(api.createCampaign).toHaveBeenCalledWith(
        expect.objectContaining({
          name: 'Owners and runbooks',
          target: { checkIds: [], minGrade: 'B' },
          scope: {
            lifecycles: ['production'],
            owners: [],
            systems: [],
            tags: ['pci', 'java'],
            namespaces: [],
            clusters: ['eu-1'],
          },
          state: 'active',
        }),
      ),
    );
    fireEvent.click(
      screen.getByRole('button', { name: 'No root in production: details' }),
    );
    fireEvent.click(await screen.findByRole('button', { name: 'End now' }));
    await waitFor(() =>
      expect(api.updateCampaign).toHaveBeenCalledWith(CAMPAIGN.id, {
        state: 'ended',
      }),
    );
  });

  it('lets a security lead change a campaign: the form starts from it, and an unchanged date keeps the deadline', async () => {
    const api = mockApi();
    await renderWithApi(<CampaignsPage />, { api });
    fireEvent.click(
      await screen.findByRole('button', {
        name: 'No root in production: details',
      }),
    );
    fireEvent.click(await screen.findByRole('button', { name: 'Change' }));
    const dialog = await screen.findByRole('dialog', {
      name: 'Change No root in production',
    });
    expect(within(dialog).getByLabelText(/^Name/)).toHaveValue(
      'No root in production',
    );
    expect(within(dialog).getByLabelText(/^Lifecycles/)).toHaveValue(
      'production',
    );
    expect(within(dialog).getByLabelText('Deadline')).toHaveValue('2026-12-29');
    // No start-now choice: starting and ending are the page's buttons.
    expect(within(dialog).queryByLabelText(/^Start now/)).toBeNull();
    fireEvent.change(within(dialog).getByLabelText(/^Owning groups/), {
      target: { value: 'group:default/web, group:default/payments' },
    });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() =>
      expect(api.updateCampaign).toHaveBeenCalledWith(CAMPAIGN.id, {
        name: 'No root in production',
        description: 'Containers that run as root escape more easily.',
        owner: 'group:default/security-leads',
        target: { checkIds: ['sc.privileged'] },
        scope: {
          lifecycles: ['production'],
          owners: ['group:default/web', 'group:default/payments'],
          systems: [],
          tags: [],
          namespaces: [],
          clusters: [],
        },
      }),
    );
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    // A new date is sent as the end of that day.
    fireEvent.click(screen.getByRole('button', { name: 'Change' }));
    const again = await screen.findByRole('dialog');
    fireEvent.change(within(again).getByLabelText('Deadline'), {
      target: { value: '2027-01-15' },
    });
    fireEvent.click(within(again).getByRole('button', { name: 'Save' }));
    await waitFor(() =>
      expect(api.updateCampaign).toHaveBeenLastCalledWith(
        CAMPAIGN.id,
        expect.objectContaining({ deadline: '2027-01-15T23:59:59.000Z' }),
      ),
    );
  });

  it('shows what the backend refuses in a change, and keeps the form', async () => {
    const api = mockApi({
      updateCampaign: jest
        .fn()
        .mockRejectedValue(
          new Error('deadline: the deadline must be after the start'),
        ),
    });
    await renderWithApi(<CampaignsPage />, { api });
    fireEvent.click(
      await screen.findByRole('button', {
        name: 'No root in production: details',
      }),
    );
    fireEvent.click(await screen.findByRole('button', { name: 'Change' }));
    const dialog = await screen.findByRole('dialog');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect(
      await within(dialog).findByText(/the deadline must be after the start/),
    ).toBeInTheDocument();
    expect(screen.getByRole('dialog')).toBeInTheDocument();
  });

  it('says when it lists only the services with the most to do', async () => {
    const api = mockApi({
      getCampaignProgress: jest
        .fn()
        .mockResolvedValue({ ...CAMPAIGN_PROGRESS, services: 600, done: 0 }),
    });
    await renderWithApi(<CampaignsPage />, { api });
    fireEvent.click(
      await screen.findByRole('button', {
        name: 'No root in production: details',
      }),
    );
    expect(await screen.findByTestId('campaign-progress')).toHaveTextContent(
      "The 2 with the most to do of 600; each team's count is above.",
    );
  });

  it('offers no creation or change to those who may not manage campaigns', async () => {
    await renderWithApi(<CampaignsPage />, {
      api: mockApi(),
      permission: AuthorizeResult.DENY,
    });
    await screen.findByText('Campaigns (1)');
    expect(screen.queryByRole('button', { name: 'New campaign' })).toBeNull();
    fireEvent.click(
      screen.getByRole('button', { name: 'No root in production: details' }),
    );
    await screen.findByTestId('campaign-progress');
    expect(screen.queryByRole('button', { name: 'Change' })).toBeNull();
  });

  it('explains campaigns when there are none', async () => {
    await renderWithApi(<CampaignsPage />, {
      api: mockApi({ listCampaigns: jest.fn().mockResolvedValue([]) }),
    });
    expect(await screen.findByText('No campaign yet')).toBeInTheDocument();
  });
});

describe('campaignStateText', () => {
  it.each([
    [{ state: 'draft' }, 'draft'],
    [{ state: 'active' }, 'active'],
    [{ state: 'active', outcome: 'missed' }, 'active, missed its deadline'],
    [{ state: 'ended', outcome: 'met' }, 'ended (met)'],
    [{ state: 'ended', outcome: 'missed' }, 'ended (missed)'],
  ] as const)('%j reads %s', (c, text) => {
    expect(campaignStateText({ ...CAMPAIGN, ...c })).toBe(text);
  });
});

describe('daysLeftText', () => {
  it.each([
    [14, '14 days left'],
    [1, '1 day left'],
    [0, 'less than a day left'],
    [-1, '1 day overdue'],
    [-3, '3 days overdue'],
  ])('%d reads %s', (days, text) => {
    expect(daysLeftText(days)).toBe(text);
  });
});
