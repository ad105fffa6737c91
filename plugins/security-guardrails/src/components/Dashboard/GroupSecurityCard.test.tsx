import { screen, within } from '@testing-library/react';
import { GroupSecurityCard, SystemSecurityCard } from './GroupSecurityCard';
import { GROUP, mockApi, SUMMARY, SYSTEM } from '../../__testUtils__/fixtures';
import { renderWithApi } from '../../__testUtils__/render';

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
    // Linked in the rollup, and in the campaign's services still to do.
    for (const name of screen.getAllByText('search')) {
      expect(name.closest('a')).toHaveAttribute(
        'href',
        '/catalog/default/component/search',
      );
    }
  });

  it("rolls up a system's services on its page, linking to the dashboard scoped to it", async () => {
    const api = mockApi({
      getSummary: jest.fn().mockResolvedValue({
        ...SUMMARY,
        groups: [{ ...SUMMARY.groups[1], key: 'system:default/shop' }],
      }),
    });
    await renderWithApi(<SystemSecurityCard />, { api, entity: SYSTEM });
    expect(
      await screen.findByText("Security posture of the system's services"),
    ).toBeInTheDocument();
    expect(
      await screen.findByText(/ services? · average score /),
    ).toBeInTheDocument();
    expect(api.listPostures).toHaveBeenCalledWith({
      system: ['system:default/shop'],
      limit: 500,
    });
    expect(api.getSummary).toHaveBeenCalledWith('system', {
      system: ['system:default/shop'],
    });
    expect(
      screen.getByText('Adoption dashboard for these services').closest('a'),
    ).toHaveAttribute('href', '/security?system=system%3Adefault%2Fshop');
  });

  it("shows the active campaigns over the team's services and how far the team is", async () => {
    const api = mockApi();
    await renderWithApi(<GroupSecurityCard />, { api, entity: GROUP });
    const list = await screen.findByRole('list', {
      name: "The team's campaigns",
    });
    expect(list).toHaveTextContent(
      "No root in production · 24 days left0 of 2 of the team's services done; 2 to go:",
    );
    // One request for the team, not one per campaign.
    expect(api.getOwnerCampaigns).toHaveBeenCalledWith('group:default/web');
    expect(api.getCampaignProgress).not.toHaveBeenCalled();
    // What each service still lacks, linked to the check's remediation.
    const todo = within(list).getAllByRole('listitem').slice(1);
    expect(todo.map(li => li.textContent)).toEqual([
      'Storefront: Containers do not run privileged',
      'search: Containers do not run privileged',
    ]);
    expect(
      within(todo[0]).getAllByRole('link').at(-1)?.getAttribute('href'),
    ).toMatch(/\/component\/storefront\/security\?check=sc\.privileged#/);
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
