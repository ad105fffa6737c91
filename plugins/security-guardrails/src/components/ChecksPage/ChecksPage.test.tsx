import { fireEvent, screen, waitFor } from '@testing-library/react';
import { ChecksPage } from './ChecksPage';
import { mockApi } from '../../__testUtils__/fixtures';
import { renderWithApi } from '../../__testUtils__/render';

describe('ChecksPage', () => {
  it('says when a result can carry another severity than the check', async () => {
    const api = mockApi({
      getChecks: jest.fn().mockResolvedValue([
        {
          id: 'sc.host-path',
          title: 'No hostPath volumes',
          domain: 'implementation',
          severity: 'high',
          severityRule: "Critical when a volume reaches the node's secrets.",
          rationale: "hostPath volumes expose the node's filesystem.",
          remediation: 'Use emptyDir.\n\n```yaml\nemptyDir: {}\n```',
        },
      ]),
    });
    await renderWithApi(<ChecksPage />, {
      api,
      path: '/security/checks?check=sc.host-path',
    });
    expect(
      await screen.findByText(
        /high by default\. Critical when a volume reaches/,
      ),
    ).toHaveTextContent(
      "Severity: high by default. Critical when a volume reaches the node's secrets. Each result shows its own.",
    );
  });

  it('shows which campaigns include the selected check', async () => {
    const api = mockApi();
    await renderWithApi(<ChecksPage />, {
      api,
      path: '/security/checks?check=sc.privileged',
    });
    expect(
      await screen.findByText('No root in production (active)'),
    ).toBeInTheDocument();
  });

  it('lists checks by domain, searches, and shows the remediation of the selected one', async () => {
    const api = mockApi();
    await renderWithApi(<ChecksPage />, {
      api,
      path: '/security/checks?check=net.policy-coverage',
    });
    expect(await screen.findByText('Checks (3)')).toBeInTheDocument();
    expect(
      screen.getByRole('heading', {
        name: 'NetworkPolicies cover ingress and egress',
      }),
    ).toBeInTheDocument();
    await waitFor(() =>
      expect(document.body.textContent).toContain('kind: NetworkPolicy'),
    );
    fireEvent.change(screen.getByLabelText('Search checks'), {
      target: { value: 'privileged' },
    });
    expect(
      screen.queryByText('Root filesystem is read-only'),
    ).not.toBeInTheDocument();
    fireEvent.change(screen.getByLabelText('Search checks'), {
      target: { value: 'zzz' },
    });
    expect(screen.getByText('No check matches "zzz".')).toBeInTheDocument();
  });

  it('shows backend errors', async () => {
    const api = mockApi({
      getChecks: jest.fn().mockRejectedValue(new Error('nope')),
    });
    await renderWithApi(<ChecksPage />, { api });
    expect((await screen.findAllByText(/nope/)).length).toBeGreaterThan(0);
  });
});
