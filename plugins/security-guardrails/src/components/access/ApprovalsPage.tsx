import { useState } from 'react';
import {
  Box,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  List,
  ListItem,
  TextField,
} from '@material-ui/core';
import { EmptyState, InfoCard, Progress } from '@backstage/core-components';
import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import { AccessRequest } from '@internal/backstage-plugin-security-guardrails-common';
import { securityGuardrailsApiRef } from '../../api';
import { requestWhat, RequestSummary } from './RequestSummary';
import { BackendError } from '../common/BackendError';
import { useBackendData } from '../../hooks/useBackendData';

function kindOf(r: AccessRequest): 'access' | 'exemption' {
  return r.kind === 'exemption' ? 'exemption' : 'access';
}

/** The approver's inbox: who wants what, why, for how long. */
export function ApprovalsPage() {
  const api = useApi(securityGuardrailsApiRef);
  const alertApi = useApi(alertApiRef);
  const [denying, setDenying] = useState<AccessRequest>();
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState<string>();
  const data = useBackendData(async () => {
    const [access, exemptions] = await Promise.all([
      api.listRequests('access', { view: 'to-approve', limit: 200 }),
      api.listRequests('exemption', { view: 'to-approve', limit: 200 }),
    ]);
    return [...access.items, ...exemptions.items].sort((a, b) =>
      a.createdAt < b.createdAt ? -1 : 1,
    );
  }, [api]);

  const decide = async (
    r: AccessRequest,
    action: 'approve' | 'deny',
    text?: string,
  ) => {
    setBusy(r.id);
    try {
      const after = await api.actOnRequest(kindOf(r), r.id, action, text);
      alertApi.post({
        message: `${requestWhat(r)} for ${r.requester}: ${after.state}${
          after.lastError ? ` (${after.lastError})` : ''
        }`,
        severity: after.lastError ? 'warning' : 'success',
        display: 'transient',
      });
    } catch (e) {
      alertApi.post({ message: (e as Error).message, severity: 'error' });
    } finally {
      setBusy(undefined);
      data.retry();
    }
  };

  if (data.value === undefined) {
    return data.error ? (
      <BackendError data={data} what="the requests waiting for you" />
    ) : (
      <Progress />
    );
  }
  const requests = data.value;

  return (
    <InfoCard title={`Waiting for your decision (${requests.length})`}>
      <BackendError data={data} what="the requests waiting for you" />
      {requests.length === 0 ? (
        <EmptyState
          missing="data"
          title="Nothing waiting for you"
          description="Requests on services your teams own, and exemption requests if you are a security lead, appear here."
        />
      ) : (
        <List>
          {requests.map(r => (
            <ListItem key={r.id} divider style={{ display: 'block' }}>
              <RequestSummary request={r} showRequester />
              <Box mt={1} display="flex" style={{ gap: 8 }}>
                <Button
                  variant="contained"
                  color="primary"
                  size="small"
                  disabled={busy === r.id}
                  onClick={() => decide(r, 'approve')}
                  aria-label={`Approve ${requestWhat(r)} for ${r.requester}`}
                >
                  Approve
                </Button>
                <Button
                  variant="outlined"
                  size="small"
                  disabled={busy === r.id}
                  onClick={() => {
                    setComment('');
                    setDenying(r);
                  }}
                  aria-label={`Deny ${requestWhat(r)} for ${r.requester}`}
                >
                  Deny
                </Button>
              </Box>
            </ListItem>
          ))}
        </List>
      )}
      <Dialog
        open={Boolean(denying)}
        onClose={() => setDenying(undefined)}
        fullWidth
        maxWidth="sm"
        aria-labelledby="sg-deny-title"
      >
        <DialogTitle id="sg-deny-title">Deny the request</DialogTitle>
        <DialogContent>
          <TextField
            id="sg-deny-comment"
            label="Why (the requester sees this)"
            required
            fullWidth
            multiline
            value={comment}
            onChange={e => setComment(e.target.value)}
          />
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setDenying(undefined)}>Cancel</Button>
          <Button
            color="secondary"
            variant="contained"
            disabled={comment.trim().length < 3}
            onClick={() => {
              const r = denying!;
              setDenying(undefined);
              decide(r, 'deny', comment.trim());
            }}
          >
            Deny
          </Button>
        </DialogActions>
      </Dialog>
    </InfoCard>
  );
}
