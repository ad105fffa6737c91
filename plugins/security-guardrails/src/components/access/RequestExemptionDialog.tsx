import { useState } from 'react';
import {
  Button,
  Checkbox,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormControl,
  FormControlLabel,
  FormHelperText,
  InputLabel,
  MenuItem,
  Select,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { Progress } from '@backstage/core-components';
import { ActionError } from '../common/BackendError';
import { useApi } from '@backstage/core-plugin-api';
import {
  AccessRequest,
  MIN_JUSTIFICATION_LENGTH,
  ResourceRef,
} from '@internal/backstage-plugin-security-guardrails-common';
import { securityGuardrailsApiRef } from '../../api';
import { useAccessPolicy } from '../../hooks/useAccessPolicy';
import { useBackendData } from '../../hooks/useBackendData';
import { isJustificationOk, JustificationFields } from './JustificationFields';

const DAYS = [7, 14, 30, 60, 90, 180, 365];

export interface RequestExemptionDialogProps {
  entityRef: string;
  checkId: string;
  checkTitle?: string;
  /** The resource of the failing result, to offer a narrower exemption. */
  resource?: ResourceRef;
  open: boolean;
  onClose: () => void;
  onCreated?: (request: AccessRequest) => void;
}

/** Ask security leads to exempt a check for a justified, limited period. */
export function RequestExemptionDialog(props: RequestExemptionDialogProps) {
  const api = useApi(securityGuardrailsApiRef);
  const policy = useAccessPolicy();
  const [days, setDays] = useState(30);
  const [justification, setJustification] = useState('');
  const [ticket, setTicket] = useState('');
  const [onlyThisResource, setOnlyThisResource] = useState(
    Boolean(props.resource),
  );
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<Error>();
  const [created, setCreated] = useState<AccessRequest>();
  const [campaignId, setCampaignId] = useState('');
  // Active campaigns that target this check: the exemption may name one.
  const campaigns = useBackendData(
    async () =>
      props.open
        ? (await api.listCampaigns()).filter(
            c =>
              c.state === 'active' && c.target.checkIds.includes(props.checkId),
          )
        : [],
    [api, props.open, props.checkId],
  );

  const maxDays = Math.floor(
    (policy.value?.exemptions.maxDurationSeconds ?? 90 * 86400) / 86400,
  );
  const options = DAYS.filter(d => d <= maxDays);
  const justificationOk = isJustificationOk(justification);

  const submit = async () => {
    setSubmitting(true);
    setError(undefined);
    try {
      const r = props.resource;
      const request = await api.createExemptionRequest({
        entityRef: props.entityRef,
        checkId: props.checkId,
        durationSeconds: days * 86400,
        justification: justification.trim(),
        ticket: ticket.trim() || undefined,
        ...(campaignId ? { campaignId } : {}),
        scope:
          onlyThisResource && r
            ? {
                cluster: r.cluster,
                namespace: r.namespace,
                kind: r.kind,
                name: r.name,
              }
            : undefined,
      });
      setCreated(request);
      props.onCreated?.(request);
    } catch (e) {
      setError(e as Error);
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <Dialog
      open={props.open}
      onClose={props.onClose}
      fullWidth
      maxWidth="sm"
      aria-labelledby="sg-exemption-title"
    >
      <DialogTitle id="sg-exemption-title">Request an exemption</DialogTitle>
      <DialogContent>
        <Typography variant="body2">
          {props.checkTitle
            ? `${props.checkTitle} (${props.checkId})`
            : props.checkId}{' '}
          on {props.entityRef}
        </Typography>
        <Typography variant="caption" color="textSecondary" component="p">
          While approved, the check counts as exempt and leaves the score.
          Security leads decide; exemptions end on their own.
        </Typography>
        {policy.loading && <Progress />}
        {created ? (
          <Alert severity="info">
            Requested: waiting for {created.approverGroups.join(' or ')}.
          </Alert>
        ) : (
          <>
            <FormControl margin="normal" style={{ minWidth: 160 }}>
              <InputLabel id="sg-exemption-days">For</InputLabel>
              <Select
                labelId="sg-exemption-days"
                value={days}
                onChange={e => setDays(Number(e.target.value))}
              >
                {options.map(d => (
                  <MenuItem key={d} value={d}>
                    {d} days
                  </MenuItem>
                ))}
              </Select>
              <FormHelperText>At most {maxDays} days.</FormHelperText>
            </FormControl>
            {props.resource && (
              <FormControlLabel
                control={
                  <Checkbox
                    checked={onlyThisResource}
                    onChange={e => setOnlyThisResource(e.target.checked)}
                  />
                }
                label={`Only ${props.resource.kind}/${props.resource.name}`}
              />
            )}
            {(campaigns.value ?? []).length > 0 && (
              <FormControl margin="normal" fullWidth>
                <InputLabel id="sg-exemption-campaign">
                  Part of a campaign
                </InputLabel>
                <Select
                  labelId="sg-exemption-campaign"
                  value={campaignId}
                  onChange={e => setCampaignId(String(e.target.value))}
                >
                  <MenuItem value="">none</MenuItem>
                  {(campaigns.value ?? []).map(c => (
                    <MenuItem key={c.id} value={c.id}>
                      {c.name}
                    </MenuItem>
                  ))}
                </Select>
                <FormHelperText>
                  An approved exemption counts as done for the campaign, and the
                  campaign shows it.
                </FormHelperText>
              </FormControl>
            )}
            <JustificationFields
              idPrefix="sg-exemption"
              justification={justification}
              onJustificationChange={setJustification}
              justificationHelp={`Why the check cannot pass now, and the plan to fix it: at least ${MIN_JUSTIFICATION_LENGTH} characters.`}
              ticket={ticket}
              onTicketChange={setTicket}
            />
            <ActionError error={error} />
          </>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>{created ? 'Close' : 'Cancel'}</Button>
        {!created && (
          <Button
            color="primary"
            variant="contained"
            onClick={submit}
            disabled={submitting || !justificationOk}
          >
            {submitting ? 'Requesting…' : 'Request exemption'}
          </Button>
        )}
      </DialogActions>
    </Dialog>
  );
}
