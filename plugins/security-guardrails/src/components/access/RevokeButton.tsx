import { useState } from 'react';
import {
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
  TextField,
} from '@material-ui/core';
import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  AccessRequest,
  guardrailsAccessAdminPermission,
} from '@internal/backstage-plugin-security-guardrails-common';
import { securityGuardrailsApiRef } from '../../api';
import { ActionError } from '../common/BackendError';
import { requestWhat } from './RequestSummary';

/** The shortest reason a security lead gives for ending someone's access. */
const MIN_REASON = 3;

/**
 * For security leads (access.admin): revoke anyone's active grant or end
 * anyone's exemption, with a reason that goes into the audit and to the
 * requester. Renders nothing for everyone else.
 */
export function RevokeButton(props: {
  request: AccessRequest;
  onDone: () => void;
}) {
  const r = props.request;
  const api = useApi(securityGuardrailsApiRef);
  const alertApi = useApi(alertApiRef);
  const { allowed } = usePermission({
    permission: guardrailsAccessAdminPermission,
  });
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  if (!allowed || (r.state !== 'active' && r.state !== 'approved')) {
    return null;
  }
  const exemption = r.kind === 'exemption';
  const verb = exemption ? 'End exemption' : 'Revoke';
  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const after = await api.actOnRequest(
        exemption ? 'exemption' : 'access',
        r.id,
        'revoke',
        reason.trim(),
      );
      alertApi.post({
        message: `${requestWhat(r)} of ${r.requester}: ${after.state}`,
        severity: 'success',
        display: 'transient',
      });
      setOpen(false);
      props.onDone();
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <Button
        size="small"
        color="secondary"
        onClick={() => {
          setReason('');
          setError(undefined);
          setOpen(true);
        }}
        aria-label={`${verb}: ${requestWhat(r)} of ${r.requester}`}
      >
        {verb}
      </Button>
      <Dialog
        open={open}
        onClose={() => setOpen(false)}
        fullWidth
        maxWidth="sm"
        aria-labelledby={`sg-revoke-${r.id}`}
      >
        <DialogTitle id={`sg-revoke-${r.id}`}>
          {verb} for {r.requester}
        </DialogTitle>
        <DialogContent>
          <DialogContentText>
            {requestWhat(r)}.{' '}
            {exemption
              ? 'The check counts against the service again at once.'
              : 'The RoleBinding is removed now, before its expiry.'}{' '}
            The reason goes into the audit and to the requester (at least{' '}
            {MIN_REASON} characters).
          </DialogContentText>
          <TextField
            id={`sg-revoke-reason-${r.id}`}
            label="Reason"
            required
            fullWidth
            multiline
            value={reason}
            onChange={e => setReason(e.target.value)}
          />
          <ActionError error={error} />
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setOpen(false)}>Cancel</Button>
          <Button
            color="secondary"
            variant="contained"
            disabled={busy || reason.trim().length < MIN_REASON}
            onClick={submit}
          >
            {verb}
          </Button>
        </DialogActions>
      </Dialog>
    </>
  );
}
