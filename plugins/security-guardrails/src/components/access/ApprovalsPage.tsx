import { useState } from 'react';
import {
  Box,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  Grid,
  List,
  ListItem,
  TextField,
  Typography,
} from '@material-ui/core';
import { EmptyState, InfoCard, Progress } from '@backstage/core-components';
import {
  alertApiRef,
  identityApiRef,
  useApi,
} from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  AccessRequest,
  guardrailsAccessAdminPermission,
} from '@internal/backstage-plugin-security-guardrails-common';
import { securityGuardrailsApiRef } from '../../api';
import { EntityLink, requestWhat, RequestSummary } from './RequestSummary';
import { ApprovalContext } from './ApprovalContext';
import { RevokeButton } from './RevokeButton';
import { RequestStateChip } from '../common/RequestStateChip';
import { When } from '../common/When';
import { useClearRequestNotifications } from '../../hooks/useClearRequestNotifications';
import { BackendError } from '../common/BackendError';
import { useBackendData } from '../../hooks/useBackendData';

function kindOf(r: AccessRequest): 'access' | 'exemption' {
  return r.kind === 'exemption' ? 'exemption' : 'access';
}

/** My decision on a request, for the recently decided list. */
function myDecision(r: AccessRequest, me?: string) {
  return r.approvals.find(a => a.approver === me) ?? r.approvals[0];
}

/** What one decided lately: the request, the decision, its comment and when. */
function RecentlyDecided(props: { refresh: number }) {
  const api = useApi(securityGuardrailsApiRef);
  const identityApi = useApi(identityApiRef);
  const data = useBackendData(async () => {
    const [me, access, exemptions] = await Promise.all([
      identityApi.getBackstageIdentity(),
      api.listRequests('access', { view: 'decided', limit: 20 }),
      api.listRequests('exemption', { view: 'decided', limit: 20 }),
    ]);
    const items = [...access.items, ...exemptions.items];
    const at = (r: AccessRequest) =>
      myDecision(r, me.userEntityRef)?.at ?? r.updatedAt;
    return {
      me: me.userEntityRef,
      items: items.sort((a, b) => at(b).localeCompare(at(a))).slice(0, 20),
    };
  }, [api, identityApi, props.refresh]);
  return (
    <InfoCard title="Recently decided by you">
      <BackendError data={data} what="your recent decisions" />
      {data.value && data.value.items.length === 0 && (
        <Typography variant="body2">
          Requests you approve or deny are listed here.
        </Typography>
      )}
      <List dense aria-label="Recently decided by you">
        {(data.value?.items ?? []).map(r => {
          const d = myDecision(r, data.value?.me);
          return (
            <ListItem key={r.id} divider style={{ display: 'block' }}>
              <Box display="flex" alignItems="center" style={{ gap: 8 }}>
                <RequestStateChip state={r.state} />
                <Typography variant="body2">
                  {requestWhat(r)} for <EntityLink entityRef={r.requester} />
                </Typography>
              </Box>
              {d && (
                <Typography variant="caption" color="textSecondary">
                  You {d.decision === 'approve' ? 'approved' : 'denied'}{' '}
                  <When at={d.at} />
                  {d.comment ? `: “${d.comment}”` : ''}
                </Typography>
              )}
            </ListItem>
          );
        })}
      </List>
    </InfoCard>
  );
}

/** For security leads: every active grant and exemption, each revocable. */
function ActiveAccess(props: { refresh: number; onChanged: () => void }) {
  const api = useApi(securityGuardrailsApiRef);
  const { allowed } = usePermission({
    permission: guardrailsAccessAdminPermission,
  });
  const data = useBackendData(async () => {
    if (!allowed) return [];
    const [grants, exemptions] = await Promise.all([
      api.listGrants(),
      api.listRequests('exemption', {
        view: 'all',
        state: ['active'],
        limit: 200,
      }),
    ]);
    return [...grants, ...exemptions.items];
  }, [api, allowed, props.refresh]);
  if (!allowed) return null;
  const items = data.value ?? [];
  return (
    <InfoCard title={`Active grants and exemptions (${items.length})`}>
      <BackendError data={data} what="active access" />
      {data.value && items.length === 0 && (
        <Typography variant="body2">
          No one holds temporary access or an exemption right now.
        </Typography>
      )}
      <List dense aria-label="Active grants and exemptions">
        {items.map(r => (
          <ListItem key={r.id} divider style={{ display: 'block' }}>
            <RequestSummary request={r} showRequester />
            <RevokeButton request={r} onDone={props.onChanged} />
          </ListItem>
        ))}
      </List>
    </InfoCard>
  );
}

/** The approver's inbox: who wants what, why, for how long, with what it means; then what one decided. */
export function ApprovalsPage() {
  const api = useApi(securityGuardrailsApiRef);
  const alertApi = useApi(alertApiRef);
  const clearNotifications = useClearRequestNotifications();
  const [denying, setDenying] = useState<AccessRequest>();
  const [comment, setComment] = useState('');
  const [approvalComments, setApprovalComments] = useState<
    Record<string, string>
  >({});
  const [busy, setBusy] = useState<string>();
  const [decisions, setDecisions] = useState(0);
  const data = useBackendData(async () => {
    const [access, exemptions] = await Promise.all([
      api.listRequests('access', { view: 'to-approve', limit: 200 }),
      api.listRequests('exemption', { view: 'to-approve', limit: 200 }),
    ]);
    return [...access.items, ...exemptions.items].sort((a, b) =>
      a.createdAt < b.createdAt ? -1 : 1,
    );
  }, [api, decisions]);
  // Active access the approver can see, for "what the requester already holds".
  const held = useBackendData(
    async () =>
      (
        await api.listRequests('access', {
          view: 'all',
          state: ['active'],
          limit: 200,
        })
      ).items,
    [api, decisions],
  );

  const decide = async (
    r: AccessRequest,
    action: 'approve' | 'deny',
    text?: string,
  ) => {
    setBusy(r.id);
    try {
      const after = await api.actOnRequest(kindOf(r), r.id, action, text);
      await clearNotifications(r.id);
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
      setDecisions(n => n + 1);
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
    <Grid container spacing={3}>
      <Grid item xs={12}>
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
                  <ApprovalContext request={r} held={held.value} />
                  <TextField
                    id={`sg-approve-comment-${r.id}`}
                    label="Comment (optional, goes into the audit)"
                    fullWidth
                    margin="dense"
                    value={approvalComments[r.id] ?? ''}
                    onChange={e =>
                      setApprovalComments(c => ({
                        ...c,
                        [r.id]: e.target.value,
                      }))
                    }
                  />
                  <Box mt={1} display="flex" style={{ gap: 8 }}>
                    <Button
                      variant="contained"
                      color="primary"
                      size="small"
                      disabled={busy === r.id}
                      onClick={() =>
                        decide(
                          r,
                          'approve',
                          approvalComments[r.id]?.trim() || undefined,
                        )
                      }
                      aria-label={`Approve ${requestWhat(r)} for ${
                        r.requester
                      }`}
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
      </Grid>
      <Grid item xs={12} md={6}>
        <RecentlyDecided refresh={decisions} />
      </Grid>
      <Grid item xs={12} md={6}>
        <ActiveAccess
          refresh={decisions}
          onChanged={() => setDecisions(n => n + 1)}
        />
      </Grid>
    </Grid>
  );
}
