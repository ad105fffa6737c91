import { screen } from '@testing-library/react';
import { createSecurityGradeColumn } from './SecurityGradeColumn';
import { mockApi, SERVICE, UNMAPPED } from '../../__testUtils__/fixtures';
import { renderWithApi } from '../../__testUtils__/render';

describe('the security grade column', () => {
  it('shows each row’s grade from one list shared by the page, and a dash without a posture', async () => {
    const api = mockApi();
    const column = createSecurityGradeColumn<{ entity: typeof SERVICE }>();
    expect(column.title).toBe('Security');
    await renderWithApi(
      <>
        {column.render({ entity: SERVICE })}
        {column.render({
          entity: { ...SERVICE, metadata: { ...SERVICE.metadata } },
        })}
        {column.render({ entity: UNMAPPED })}
      </>,
      { api },
    );
    expect(await screen.findAllByRole('img', { name: 'Grade C' })).toHaveLength(
      2,
    );
    expect(screen.getByLabelText('No security grade')).toHaveTextContent('–');
    expect(api.listPostures).toHaveBeenCalledTimes(1);
  });
});
