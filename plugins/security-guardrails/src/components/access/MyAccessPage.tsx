import { useState } from 'react';
import {
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormControl,
  Grid,
  InputLabel,
  List,
  ListItem,
  MenuItem,
  Select,
  TextField,
} from '@material-ui/core';
import {
  EmptyState,
  InfoCard,
  Progress,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import { AccessRequest } from '@internal/backstage-plugin-security-guardrails-common';
import { securityGuardrailsApiRef } from '../../api';
import { RequestStateChip } from '../common/RequestStateChip';
import { ActionError, BackendError } from '../common/BackendError';
import { useBackendData } from '../../hooks/useBackendData';
import { formatDuration, relativeTime } from '../common/time';
import { useAccessPolicy } from '../../hooks/useAccessPolicy';
import { durationOptions } from './RequestAccessDialog';
import { EntityLink, requestWhat, RequestSummary } from './RequestSummary';

const OPEN_STATES = ['pending', 'approved', 'active'];

function ExtendDialog(props: {
  request: AccessRequest;
  onClose: () => void;
  onDone: () => void;
}) {
  const api = useApi(securityGuardrailsApiRef);
  const policy = useAccessPolicy();
  const role = policy.value?.roles.find(r => r.name === props.request.role);
  const [duration, setDuration] = useState(1800);
  const [justification, setJustification] = useState('');
  const [error, setError] = useState<Error>();
  const submit = async () => {
    try {
      await api.extendGrant(props.request.id, duration, justification.trim());
      props.onDone();
    } catch (e) {
      setError(e as Error);
    }
  };
  return (
    <Dialog
      open
      onClose={props.onClose}
      fullWidth
      maxWidth="sm"
      aria-labelledby="sg-extend-title"
    >
      <DialogTitle id="sg-extend-title">
        Extend {props.request.role} access
      </DialogTitle>
      <DialogContent>
        {role?.extensionNeedsApproval
          ? 'An extension of this role needs a new approval.'
          : 'This role is extended at once.'}
        {role && (
          <FormControl fullWidth margin="normal">
            <InputLabel id="sg-extend-duration">By</InputLabel>
            <Select
              labelId="sg-extend-duration"
              value={duration}
              onChange={e => setDuration(Number(e.target.value))}
            >
              {durationOptions(role).map(d => (
                <MenuItem key={d} value={d}>
                  {formatDuration(d * 1000)}
                </MenuItem>
              ))}
            </Select>
          </FormControl>
        )}
        <TextField
          id="sg-extend-justification"
          label="Justification"
          required
          fullWidth
          multiline
          margin="normal"
          value={justification}
          onChange={e => setJustification(e.target.value)}
        />
        <ActionError error={error} />
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Cancel</Button>
        <Button
          color="primary"
          variant="contained"
          disabled={justification.trim().length < 10}
          onClick={submit}
        >
          Extend
        </Button>
      </DialogActions>
    </Dialog>
  );
}

/** One's own requests: pending, active with a live countdown, and history. */
export function MyAccessPage() {
  const api = useApi(securityGuardrailsApiRef);
  const alertApi = useApi(alertApiRef);
  const [extending, setExtending] = useState<AccessRequest>();
  const data = useBackendData(async () => {
    const [access, exemptions] = await Promise.all([
      api.listRequests('access', { view: 'mine', limit: 200 }),
      api.listRequests('exemption', { view: 'mine', limit: 200 }),
    ]);
    return [...access.items, ...exemptions.items];
  }, [api]);

  const act = async (r: AccessRequest, action: 'cancel' | 'revoke') => {
    try {
      const kind = r.kind === 'exemption' ? 'exemption' : 'access';
      const after = await api.actOnRequest(kind, r.id, action);
      alertApi.post({
        message: `${requestWhat(r)}: ${after.state}`,
        severity: 'success',
        display: 'transient',
      });
    } catch (e) {
      alertApi.post({ message: (e as Error).message, severity: 'error' });
    }
    data.retry();
  };

  if (data.value === undefined) {
    return data.error ? (
      <BackendError data={data} what="your requests" />
    ) : (
      <Progress />
    );
  }
  const requests = data.value;
  const open = requests.filter(r => OPEN_STATES.includes(r.state));
  const history = requests.filter(r => !OPEN_STATES.includes(r.state));

  const columns: TableColumn<AccessRequest>[] = [
    {
      title: 'State',
      field: 'state',
      render: r => <RequestStateChip state={r.state} />,
    },
    { title: 'Request', render: r => requestWhat(r) },
    { title: 'Service', render: r => <EntityLink entityRef={r.entityRef} /> },
    {
      title: 'Requested',
      field: 'createdAt',
      render: r => relativeTime(r.createdAt),
    },
    {
      title: 'Ended',
      field: 'endedAt',
      render: r =>
        r.endedAt
          ? `${relativeTime(r.endedAt)}${
              r.endReason ? ` (${r.endReason})` : ''
            }`
          : '',
    },
  ];

  return (
    <Grid container spacing={3}>
      {data.error && (
        <Grid item xs={12}>
          <BackendError data={data} what="your requests" />
        </Grid>
      )}
      <Grid item xs={12}>
        <InfoCard title="Open requests and active access">
          {open.length === 0 ? (
            <EmptyState
              missing="data"
              title="No open requests"
              description="Request temporary access from a service's page (Security card → Request access)."
            />
          ) : (
            <List>
              {open.map(r => (
                <ListItem key={r.id} divider style={{ display: 'block' }}>
                  <RequestSummary request={r} showUsage />
                  {r.state === 'pending' && (
                    <Button size="small" onClick={() => act(r, 'cancel')}>
                      Cancel request
                    </Button>
                  )}
                  {(r.state === 'active' || r.state === 'approved') && (
                    <Button
                      size="small"
                      color="secondary"
                      onClick={() => act(r, 'revoke')}
                    >
                      {r.kind === 'exemption' ? 'End exemption' : 'Revoke now'}
                    </Button>
                  )}
                  {r.state === 'active' && r.kind === 'access' && (
                    <Button size="small" onClick={() => setExtending(r)}>
                      Extend
                    </Button>
                  )}
                </ListItem>
              ))}
            </List>
          )}
        </InfoCard>
      </Grid>
      <Grid item xs={12}>
        <Table<AccessRequest>
          title="History"
          options={{ paging: history.length > 10, pageSize: 10, search: false }}
          columns={columns}
          data={history}
          emptyContent={<EmptyState missing="data" title="No past requests" />}
        />
      </Grid>
      {extending && (
        <ExtendDialog
          request={extending}
          onClose={() => setExtending(undefined)}
          onDone={() => {
            setExtending(undefined);
            data.retry();
          }}
        />
      )}
    </Grid>
  );
}
