import { screen } from '@testing-library/react';
import { GroupSecurityCard } from './GroupSecurityCard';
import { GROUP, mockApi } from '../../__testUtils__/fixtures';
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
    expect(screen.getByText('search').closest('a')).toHaveAttribute(
      'href',
      '/catalog/default/component/search',
    );
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
