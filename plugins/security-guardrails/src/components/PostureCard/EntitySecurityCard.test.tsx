import {
  act,
  fireEvent,
  screen,
  waitFor,
  within,
} from '@testing-library/react';
import {
  failureCounts,
  failureLabel,
} from '@internal/backstage-plugin-security-guardrails-common';
import { NOT_EVALUATED_POLL_MS } from '../../hooks/usePosture';
import { EntitySecurityCard } from './EntitySecurityCard';
import { gradeColor } from '../common/Badges';
import {
  CAMPAIGN,
  mockApi,
  POSTURE,
  SERVICE,
  UNMAPPED,
} from '../../__testUtils__/fixtures';
import { renderWithApi } from '../../__testUtils__/render';
import { notFound, tooManyRequests } from '../../__testUtils__/errors';

describe('EntitySecurityCard', () => {
  it('shows grade, score, the explanation, domains and top failures', async () => {
    const api = mockApi();
    await renderWithApi(<EntitySecurityCard />, { api, entity: SERVICE });
    // 2 (probe) + 4 (owner) passing, 8 (critical) failing, 2 warning: 100 × 6 / (6 + 8 + 1) = 40.
    expect(
      (await screen.findAllByRole('img', { name: 'Grade F' })).length,
    ).toBeGreaterThan(0);
    // The number inside the ring; the ring in the grade's colour (F), 40 % drawn.
    const ring = screen.getByRole('img', { name: 'Score 40 of 100, grade F' });
    expect(ring).toHaveTextContent('40of 100');
    const arc = screen.getByTestId('score-ring-arc');
    expect(arc).toHaveAttribute('stroke', gradeColor('F'));
    const [drawn, whole] = arc
      .getAttribute('stroke-dasharray')!
      .split(' ')
      .map(Number);
    expect(drawn / whole).toBeCloseTo(0.4);
    expect(screen.getByText(/Why this grade:/)).toHaveTextContent(
      '100 × 6 / (6 + 8 + 2/2) = 40 → F',
    );
    expect(screen.getByText(/Implementation/)).toBeInTheDocument();
    expect(
      (await screen.findAllByText('Containers do not run privileged')).length,
    ).toBeGreaterThan(0);
    expect(screen.getByText('CRITICAL')).toBeInTheDocument();
    // Each failing check links to its rows in the Security tab.
    expect(
      screen.getAllByRole('link', {
        name: 'Containers do not run privileged',
      })[0],
    ).toHaveAttribute(
      'href',
      '/catalog/default/component/storefront/security?check=sc.privileged#sg-check-sc-privileged',
    );
    // The same "failing checks" as every view (failureCounts.test.tsx).
    expect(
      screen.getByText(
        `Top failures: ${failureLabel(failureCounts(POSTURE.results))}`,
      ),
    ).toBeInTheDocument();
    expect(screen.getByText(/Evaluated .* from demo/)).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Request access' }),
    ).toBeInTheDocument();
    expect(api.getPosture).toHaveBeenCalledWith('component:default/storefront');
  });

  it("shows the campaigns that apply, days left and what is still failing, linked to the tab's rows", async () => {
    const api = mockApi();
    await renderWithApi(<EntitySecurityCard />, { api, entity: SERVICE });
    const campaigns = await screen.findByRole('list', {
      name: 'Campaigns that apply',
    });
    expect(campaigns).toHaveTextContent(
      'No root in production · 24 days left1 thing left: Containers do not run privileged',
    );
    expect(
      within(campaigns).getByRole('link', {
        name: 'Containers do not run privileged',
      }),
    ).toHaveAttribute(
      'href',
      '/catalog/default/component/storefront/security?check=sc.privileged#sg-check-sc-privileged',
    );
    expect(api.getEntityCampaigns).toHaveBeenCalledWith(
      'component:default/storefront',
    );
  });

  it('says so when the service meets a campaign', async () => {
    const api = mockApi({
      getEntityCampaigns: jest.fn().mockResolvedValue({
        entityRef: 'component:default/storefront',
        items: [
          {
            campaign: CAMPAIGN,
            daysLeft: 3,
            status: {
              entityRef: 'component:default/storefront',
              grade: 'A',
              done: true,
              failingChecks: [],
              belowGrade: false,
            },
          },
        ],
      }),
    });
    await renderWithApi(<EntitySecurityCard />, { api, entity: SERVICE });
    expect(
      await screen.findByText('This service meets it.'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('No root in production · 3 days left'),
    ).toBeInTheDocument();
  });

  it('tells how to map a service that has no Kubernetes annotation, without calling the backend', async () => {
    const api = mockApi();
    await renderWithApi(<EntitySecurityCard />, { api, entity: UNMAPPED });
    expect(
      screen.getByText('No Kubernetes objects are mapped to this service'),
    ).toBeInTheDocument();
    expect(document.body.textContent).toContain(
      'backstage.io/kubernetes-id: docs-site',
    );
    expect(api.getPosture).not.toHaveBeenCalled();
  });

  it('offers to evaluate a service that has not been evaluated yet', async () => {
    const api = mockApi({
      getPosture: jest.fn().mockRejectedValue(await notFound()),
    });
    await renderWithApi(<EntitySecurityCard />, { api, entity: SERVICE });
    fireEvent.click(
      await screen.findByRole('button', { name: 'Evaluate now' }),
    );
    await waitFor(() =>
      expect(api.refreshPosture).toHaveBeenCalledWith(
        'component:default/storefront',
      ),
    );
  });

  it("shows a refresh asked too soon in the backend's words, and re-enables the button when it may be asked again", async () => {
    const message = 'Refreshed moments ago; try again in 24 s.';
    const api = mockApi({
      getPosture: jest.fn().mockRejectedValue(await notFound()),
      refreshPosture: jest
        .fn()
        .mockRejectedValue(await tooManyRequests(message, 24)),
    });
    await renderWithApi(<EntitySecurityCard />, { api, entity: SERVICE });
    const button = await screen.findByRole('button', { name: 'Evaluate now' });
    jest.useFakeTimers();
    try {
      fireEvent.click(button);
      expect(await screen.findByRole('status')).toHaveTextContent(message);
      // Not an error panel with the JSON behind it.
      expect(screen.queryByText(/Request failed with 429/)).toBeNull();
      expect(
        screen.getByRole('button', { name: 'Evaluate now' }),
      ).toBeDisabled();
      act(() => {
        jest.advanceTimersByTime(24_000);
      });
      expect(screen.queryByRole('status')).toBeNull();
      expect(
        screen.getByRole('button', { name: 'Evaluate now' }),
      ).toBeEnabled();
    } finally {
      jest.useRealTimers();
    }
  });

  it("says why a service waits, in the backend's words", async () => {
    const reason =
      'Waiting for cluster state: cluster demo unreachable since 2026-12-01T10:00:00.000Z (connection refused). It is evaluated as soon as the cluster can be read.';
    const api = mockApi({
      getPosture: jest.fn().mockRejectedValue(await notFound(reason)),
    });
    await renderWithApi(<EntitySecurityCard />, { api, entity: SERVICE });
    expect(await screen.findByText(reason)).toBeInTheDocument();
  });

  it('shows the posture as soon as the first evaluation has stored it', async () => {
    jest.useFakeTimers({ advanceTimers: true });
    try {
      const getPosture = jest
        .fn()
        .mockRejectedValueOnce(await notFound())
        .mockResolvedValue(POSTURE);
      const api = mockApi({ getPosture });
      await renderWithApi(<EntitySecurityCard />, { api, entity: SERVICE });
      expect(await screen.findByText('Not evaluated yet')).toBeInTheDocument();
      await act(async () => {
        jest.advanceTimersByTime(NOT_EVALUATED_POLL_MS);
      });
      expect(await screen.findByText(/Why this grade:/)).toBeInTheDocument();
      expect(getPosture).toHaveBeenCalledTimes(2);
    } finally {
      jest.useRealTimers();
    }
  });

  it('shows errors from the backend in its words', async () => {
    const api = mockApi({
      getPosture: jest.fn().mockRejectedValue(new Error('backend down')),
    });
    await renderWithApi(<EntitySecurityCard />, { api, entity: SERVICE });
    expect((await screen.findAllByText(/backend down/)).length).toBeGreaterThan(
      0,
    );
  });

  it('says plainly when the backend cannot be reached, and shows the posture once it answers again', async () => {
    jest.useFakeTimers({ advanceTimers: true });
    try {
      const getPosture = jest
        .fn()
        .mockRejectedValueOnce(new TypeError('Failed to fetch'))
        .mockResolvedValue(POSTURE);
      const api = mockApi({ getPosture });
      await renderWithApi(<EntitySecurityCard />, { api, entity: SERVICE });
      const alert = await screen.findByRole('alert');
      expect(alert).toHaveTextContent(
        'The Security Guardrails backend cannot be reached',
      );
      expect(alert).toHaveTextContent('No answer (Failed to fetch).');
      expect(alert).toHaveTextContent(/Trying again by itself in 2 s/);
      // No stack trace, no "Request failed" wrapper.
      expect(screen.queryByText(/at .*\.tsx?:\d+/)).toBeNull();
      await act(async () => {
        jest.advanceTimersByTime(2000);
      });
      expect(await screen.findByText(/Why this grade:/)).toBeInTheDocument();
      expect(screen.queryByRole('alert')).toBeNull();
    } finally {
      jest.useRealTimers();
    }
  });

  it('warns when the posture is stale', async () => {
    const api = mockApi();
    const posture = await api.getPosture('x');
    api.getPosture.mockResolvedValue({
      ...posture,
      stale: true,
      clusters: [{ ...posture.clusters[0], status: 'unreachable' }],
    });
    await renderWithApi(<EntitySecurityCard />, { api, entity: SERVICE });
    expect(
      await screen.findByText(/could not be read at the last refresh/),
    ).toBeInTheDocument();
  });
});
