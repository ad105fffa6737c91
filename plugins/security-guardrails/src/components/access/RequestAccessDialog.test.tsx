import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { RequestAccessDialog } from './RequestAccessDialog';
import { mockApi } from '../../__testUtils__/fixtures';
import { renderWithApi } from '../../__testUtils__/render';

describe('RequestAccessDialog', () => {
  it('offers the roles with their limits, previews the RoleBinding and sends the request', async () => {
    const api = mockApi();
    const onCreated = jest.fn();
    await renderWithApi(
      <RequestAccessDialog
        open
        entityRef="component:default/storefront"
        onClose={() => {}}
        onCreated={onCreated}
      />,
      { api },
    );
    const dialog = await screen.findByRole('dialog');
    expect(
      within(dialog).getByText(
        /up to 4 h, 1 approval by owners or security-leads/,
      ),
    ).toBeInTheDocument();
    expect(
      within(dialog).getByText(/up to 8 h, granted at once/),
    ).toBeInTheDocument();
    await waitFor(() =>
      expect(dialog.textContent).toContain('name: dana@acme.example'),
    );
    // The least privileged role is preselected: the first the policy lists.
    expect(dialog.textContent).toContain('name: view');
    expect(within(dialog).getByRole('radio', { name: /^view/ })).toBeChecked();
    expect(
      within(dialog).getByText(/at least 10 characters/),
    ).toBeInTheDocument();
    fireEvent.click(within(dialog).getByRole('radio', { name: /^edit/ }));
    expect(dialog.textContent).toContain('name: edit');
    const submit = within(dialog).getByRole('button', {
      name: 'Request access',
    });
    expect(submit).toBeDisabled();
    fireEvent.click(within(dialog).getByLabelText('shop-jobs'));
    fireEvent.change(within(dialog).getByLabelText(/Justification/), {
      target: { value: 'Debugging INC-4211 now' },
    });
    fireEvent.change(within(dialog).getByLabelText(/Ticket/), {
      target: { value: 'INC-4211' },
    });
    fireEvent.click(submit);
    await waitFor(() =>
      expect(api.createAccessRequest).toHaveBeenCalledWith({
        entityRef: 'component:default/storefront',
        role: 'edit',
        cluster: 'demo',
        namespaces: ['shop-web', 'shop-jobs'],
        durationSeconds: 1800,
        justification: 'Debugging INC-4211 now',
        ticket: 'INC-4211',
      }),
    );
    expect(
      await within(dialog).findByText(
        /Waiting for 1 approval\(s\) by group:default\/security-leads or group:default\/web/,
      ),
    ).toBeInTheDocument();
    expect(onCreated).toHaveBeenCalled();
  });

  it('shows the rule the backend refused with', async () => {
    const api = mockApi({
      createAccessRequest: jest
        .fn()
        .mockRejectedValue(
          new Error(
            'Refused by rule concurrent-grant-limit: you already hold 3 grant(s)',
          ),
        ),
    });
    await renderWithApi(
      <RequestAccessDialog
        open
        entityRef="component:default/storefront"
        onClose={() => {}}
      />,
      { api },
    );
    const dialog = await screen.findByRole('dialog');
    await waitFor(() =>
      expect(
        within(dialog).getByLabelText(/Justification/),
      ).toBeInTheDocument(),
    );
    fireEvent.change(within(dialog).getByLabelText(/Justification/), {
      target: { value: 'Debugging INC-4211 now' },
    });
    fireEvent.click(
      within(dialog).getByRole('button', { name: 'Request access' }),
    );
    expect(
      (await within(dialog).findAllByText(/concurrent-grant-limit/)).length,
    ).toBeGreaterThan(0);
  });

  it('says when no cluster can take grants', async () => {
    const api = mockApi({
      getAccessTargets: jest
        .fn()
        .mockResolvedValue({ entityRef: 'x', targets: [], excluded: [] }),
    });
    await renderWithApi(
      <RequestAccessDialog
        open
        entityRef="component:default/storefront"
        onClose={() => {}}
      />,
      { api },
    );
    expect(
      await screen.findByText(
        /No cluster can take grants for this service yet/,
      ),
    ).toBeInTheDocument();
  });

  it('says why access cannot be requested where the service runs', async () => {
    const api = mockApi({
      getAccessTargets: jest.fn().mockResolvedValue({
        entityRef: 'x',
        targets: [],
        excluded: [
          {
            cluster: 'demo',
            namespace: 'default',
            reason:
              'the platform has not given default an owner (the security-guardrails.io/owner label on the Namespace, or securityGuardrails.access.namespaceOwners)',
          },
        ],
      }),
    });
    await renderWithApi(
      <RequestAccessDialog
        open
        entityRef="component:default/legacy-admin"
        onClose={() => {}}
      />,
      { api },
    );
    expect(
      await screen.findByText(
        /demo\/default: the platform has not given default an owner/,
      ),
    ).toBeInTheDocument();
  });
});
