/*
 * About 400 lines: one dialog, its form, its rules and its RoleBinding preview.
 */
import { useEffect, useMemo, useState } from 'react';
import {
  Box,
  Button,
  Checkbox,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormControl,
  FormControlLabel,
  FormGroup,
  FormHelperText,
  FormLabel,
  InputLabel,
  MenuItem,
  Radio,
  RadioGroup,
  Select,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { CodeSnippet, Progress } from '@backstage/core-components';
import { identityApiRef, useApi } from '@backstage/core-plugin-api';
import useAsync from 'react-use/esm/useAsync';
import {
  AccessRequest,
  GrantableRole,
  MIN_JUSTIFICATION_LENGTH,
} from '@internal/backstage-plugin-security-guardrails-common';
import { securityGuardrailsApiRef } from '../../api';
import { formatDuration } from '../common/time';
import { ActionError } from '../common/BackendError';
import { HowToUseAccess } from './HowToUseAccess';
import { previewRoleBinding } from './roleBindingPreview';
import { useAccessPolicy } from '../../hooks/useAccessPolicy';
import { isJustificationOk, JustificationFields } from './JustificationFields';

const DURATIONS = [
  15 * 60,
  30 * 60,
  3600,
  2 * 3600,
  4 * 3600,
  8 * 3600,
  24 * 3600,
];

export function durationOptions(role: GrantableRole): number[] {
  const options = DURATIONS.filter(d => d <= role.maxDurationSeconds);
  if (!options.includes(role.defaultDurationSeconds))
    options.push(role.defaultDurationSeconds);
  if (!options.includes(role.maxDurationSeconds))
    options.push(role.maxDurationSeconds);
  return [...new Set(options)].sort((a, b) => a - b);
}

function describeRole(role: GrantableRole): string {
  const approvals =
    role.approvalsRequired === 0
      ? 'granted at once'
      : `${role.approvalsRequired} approval${
          role.approvalsRequired > 1 ? 's' : ''
        } by ${role.approvers.join(' or ')}`;
  return `up to ${formatDuration(
    role.maxDurationSeconds * 1000,
  )}, ${approvals}`;
}

/** What happened to a new request, in a sentence. */
export function outcome(request: AccessRequest): string {
  if (request.state === 'active') {
    return `Granted: ${request.role} in ${request.namespaces?.join(
      ', ',
    )} until ${request.expiresAt}.`;
  }
  if (request.state === 'pending') {
    return `Requested. Waiting for ${
      request.approvalsRequired
    } approval(s) by ${request.approverGroups.join(
      ' or ',
    )}. Follow it in My access.`;
  }
  return `The request is ${request.state}${
    request.lastError ? `: ${request.lastError}` : ''
  }.`;
}

export interface RequestAccessDialogProps {
  entityRef: string;
  open: boolean;
  onClose: () => void;
  onCreated?: (request: AccessRequest) => void;
}

/** Request temporary access to the namespaces of a service. */
export function RequestAccessDialog(props: RequestAccessDialogProps) {
  const { entityRef, open, onClose, onCreated } = props;
  const api = useApi(securityGuardrailsApiRef);
  const identityApi = useApi(identityApiRef);
  const policy = useAccessPolicy();
  const targets = useAsync(
    async () => (open ? api.getAccessTargets(entityRef) : undefined),
    [api, entityRef, open],
  );
  const profile = useAsync(() => identityApi.getProfileInfo(), [identityApi]);

  const [roleName, setRoleName] = useState<string>();
  const [cluster, setCluster] = useState<string>();
  const [namespaces, setNamespaces] = useState<string[]>([]);
  const [duration, setDuration] = useState<number>();
  const [justification, setJustification] = useState('');
  const [ticket, setTicket] = useState('');
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<Error>();
  const [created, setCreated] = useState<AccessRequest>();

  const role = policy.value?.roles.find(r => r.name === roleName);
  const target = targets.value?.targets.find(t => t.cluster === cluster);

  // Sensible defaults once the policy and targets are known: the first role
  // the policy lists (access.roles, least privileged first), never a stronger one.
  useEffect(() => {
    if (!roleName && policy.value?.roles.length) {
      const first = policy.value.roles[0];
      setRoleName(first.name);
      setDuration(first.defaultDurationSeconds);
    }
  }, [policy.value, roleName]);
  useEffect(() => {
    const first = targets.value?.targets[0];
    if (!cluster && first) {
      setCluster(first.cluster);
      setNamespaces(first.namespaces.slice(0, 1));
    }
  }, [targets.value, cluster]);

  const preview = useMemo(
    () =>
      role && namespaces[0]
        ? previewRoleBinding({
            role,
            namespace: namespaces[0],
            subject: profile.value?.email ?? '<your Kubernetes user>',
            entityRef,
            durationSeconds: duration ?? role.defaultDurationSeconds,
            justification,
          })
        : undefined,
    [role, namespaces, profile.value, entityRef, duration, justification],
  );

  const close = () => {
    setCreated(undefined);
    setError(undefined);
    onClose();
  };

  const submit = async () => {
    if (!role || !cluster) return;
    setSubmitting(true);
    setError(undefined);
    try {
      const request = await api.createAccessRequest({
        entityRef,
        role: role.name,
        cluster,
        namespaces,
        durationSeconds: duration,
        justification: justification.trim(),
        ticket: ticket.trim() || undefined,
      });
      setCreated(request);
      onCreated?.(request);
    } catch (e) {
      setError(e as Error);
    } finally {
      setSubmitting(false);
    }
  };

  const justificationOk = isJustificationOk(justification);
  let body;
  if (policy.loading || targets.loading) {
    body = <Progress />;
  } else if (policy.error || targets.error) {
    body = <ActionError error={policy.error ?? targets.error} />;
  } else if (created) {
    body = (
      <>
        <Alert severity={created.state === 'active' ? 'success' : 'info'}>
          {outcome(created)}
        </Alert>
        <HowToUseAccess request={created} />
      </>
    );
  } else if (!targets.value?.targets.length) {
    const excluded = targets.value?.excluded ?? [];
    body = excluded.length ? (
      <Alert severity="info">
        Access to this service cannot be requested anywhere its objects run:
        <ul>
          {excluded.map(e => (
            <li key={`${e.cluster}/${e.namespace}`}>
              {e.cluster}/{e.namespace}: {e.reason}
            </li>
          ))}
        </ul>
      </Alert>
    ) : (
      <Alert severity="info">
        No cluster can take grants for this service yet: it needs an evaluated
        posture with objects in a cluster that has a grant driver (a live
        cluster, or a manifests cluster with a grantsDirectory).
      </Alert>
    );
  } else {
    body = (
      <>
        <FormControl component="fieldset" margin="normal" fullWidth>
          <FormLabel component="legend">Role</FormLabel>
          <RadioGroup
            value={roleName ?? ''}
            onChange={e => {
              const next = policy.value!.roles.find(
                r => r.name === e.target.value,
              )!;
              setRoleName(next.name);
              setDuration(next.defaultDurationSeconds);
            }}
          >
            {policy.value!.roles.map(r => (
              <FormControlLabel
                key={r.name}
                value={r.name}
                control={<Radio />}
                label={
                  <Box>
                    <Typography variant="body1">
                      {r.name}{' '}
                      <Typography component="span" variant="caption">
                        (ClusterRole {r.clusterRole})
                      </Typography>
                    </Typography>
                    <Typography variant="caption" color="textSecondary">
                      {r.description ? `${r.description} ` : ''}
                      {describeRole(r)}
                    </Typography>
                  </Box>
                }
              />
            ))}
          </RadioGroup>
        </FormControl>
        <Box display="flex" style={{ gap: 16 }}>
          <FormControl margin="normal" style={{ minWidth: 160 }}>
            <InputLabel id="sg-cluster">Cluster</InputLabel>
            <Select
              labelId="sg-cluster"
              value={cluster ?? ''}
              onChange={e => {
                const next = targets.value!.targets.find(
                  t => t.cluster === e.target.value,
                )!;
                setCluster(next.cluster);
                setNamespaces(next.namespaces.slice(0, 1));
              }}
            >
              {targets.value!.targets.map(t => (
                <MenuItem key={t.cluster} value={t.cluster}>
                  {t.cluster}
                </MenuItem>
              ))}
            </Select>
          </FormControl>
          {role && (
            <FormControl margin="normal" style={{ minWidth: 160 }}>
              <InputLabel id="sg-duration">Duration</InputLabel>
              <Select
                labelId="sg-duration"
                value={duration ?? role.defaultDurationSeconds}
                onChange={e => setDuration(Number(e.target.value))}
              >
                {durationOptions(role).map(d => (
                  <MenuItem key={d} value={d}>
                    {formatDuration(d * 1000)}
                  </MenuItem>
                ))}
              </Select>
              <FormHelperText>
                At most {formatDuration(role.maxDurationSeconds * 1000)}; the
                clock starts when access is applied.
              </FormHelperText>
            </FormControl>
          )}
        </Box>
        {target && (
          <FormControl component="fieldset" margin="normal">
            <FormLabel component="legend">Namespaces</FormLabel>
            <FormGroup row>
              {target.namespaces.map(ns => (
                <FormControlLabel
                  key={ns}
                  control={
                    <Checkbox
                      checked={namespaces.includes(ns)}
                      onChange={e =>
                        setNamespaces(
                          e.target.checked
                            ? [...namespaces, ns]
                            : namespaces.filter(n => n !== ns),
                        )
                      }
                    />
                  }
                  label={ns}
                />
              ))}
            </FormGroup>
          </FormControl>
        )}
        <JustificationFields
          idPrefix="sg-access"
          justification={justification}
          onJustificationChange={setJustification}
          justificationHelp={`Why you need this access: at least ${MIN_JUSTIFICATION_LENGTH} characters. Approvers and the audit history see it.`}
          ticket={ticket}
          onTicketChange={setTicket}
          ticketHelp="An incident or ticket id, e.g. INC-4211"
        />
        {preview && (
          <Box mt={2}>
            <Typography variant="subtitle2">
              The RoleBinding that will be applied
            </Typography>
            <CodeSnippet language="yaml" text={preview} />
          </Box>
        )}
        <ActionError error={error} />
      </>
    );
  }

  return (
    <Dialog
      open={open}
      onClose={close}
      fullWidth
      maxWidth="md"
      aria-labelledby="sg-request-access-title"
    >
      <DialogTitle id="sg-request-access-title">
        Request temporary access
      </DialogTitle>
      <DialogContent>
        <Typography variant="body2" color="textSecondary">
          {entityRef}
        </Typography>
        {body}
      </DialogContent>
      <DialogActions>
        <Button onClick={close}>{created ? 'Close' : 'Cancel'}</Button>
        {!created && (
          <Button
            color="primary"
            variant="contained"
            onClick={submit}
            disabled={
              submitting ||
              !role ||
              !cluster ||
              namespaces.length === 0 ||
              !justificationOk
            }
          >
            {submitting ? 'Requesting…' : 'Request access'}
          </Button>
        )}
      </DialogActions>
    </Dialog>
  );
}

/** A button that opens the request dialog. */
export function RequestAccessButton(props: {
  entityRef: string;
  onCreated?: (r: AccessRequest) => void;
}) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button variant="outlined" color="primary" onClick={() => setOpen(true)}>
        Request access
      </Button>
      <RequestAccessDialog
        entityRef={props.entityRef}
        open={open}
        onClose={() => setOpen(false)}
        onCreated={props.onCreated}
      />
    </>
  );
}
