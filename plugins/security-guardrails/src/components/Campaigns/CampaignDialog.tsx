import { useState } from 'react';
import {
  Button,
  Checkbox,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
  FormControlLabel,
  MenuItem,
  TextField,
} from '@material-ui/core';
import { Autocomplete } from '@material-ui/lab';
import { useApi } from '@backstage/core-plugin-api';
import {
  ANY_CAMPAIGN_SCOPE,
  Campaign,
  CampaignScope,
  DOMAIN_TITLES,
  DOMAINS,
  Domain,
  Grade,
} from '@internal/backstage-plugin-security-guardrails-common';
import { securityGuardrailsApiRef } from '../../api';
import { useCheckCatalogue } from '../../hooks/useCheckCatalogue';
import { ActionError } from '../common/BackendError';

const inDays = (days: number) =>
  new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

/** Comma-separated text as a list, without blanks. */
const list = (text: string) =>
  text
    .split(',')
    .map(s => s.trim())
    .filter(Boolean);

type ScopeKey = keyof CampaignScope;

/** The scope's fields, each a comma-separated list; empty means any. */
const SCOPE_FIELDS: Array<{
  key: ScopeKey;
  label: string;
  placeholder?: string;
}> = [
  { key: 'lifecycles', label: 'Lifecycles (comma-separated, empty for all)' },
  {
    key: 'owners',
    label: 'Owning groups (full refs, comma-separated, empty for all)',
    placeholder: 'group:default/payments-team',
  },
  {
    key: 'systems',
    label: 'Systems (full refs, comma-separated, empty for all)',
    placeholder: 'system:default/shop',
  },
  {
    key: 'tags',
    label: 'Catalog tags (comma-separated, empty for all)',
    placeholder: 'pci',
  },
  {
    key: 'namespaces',
    label: 'Kubernetes namespaces (comma-separated, empty for all)',
  },
  { key: 'clusters', label: 'Clusters (comma-separated, empty for all)' },
];

/** A scope as the form's comma-separated fields. */
const scopeText = (scope: CampaignScope) =>
  Object.fromEntries(
    SCOPE_FIELDS.map(f => [f.key, (scope[f.key] ?? []).join(', ')]),
  ) as Record<ScopeKey, string>;

/** The date part (UTC) of an ISO time, as the date field shows it. */
const dateOf = (iso: string) => iso.slice(0, 10);

/**
 * A new campaign, or changes to a draft or active one: name, why
 * (markdown), the checks and/or grade to reach, the services it applies to,
 * and the deadline. The backend names any field it refuses.
 */
export function CampaignDialog(props: {
  /** The campaign to change; without it, a new one. */
  campaign?: Campaign;
  onClose: () => void;
  onSaved: () => void;
}) {
  const { campaign } = props;
  const api = useApi(securityGuardrailsApiRef);
  const checks = useCheckCatalogue();
  const [name, setName] = useState(campaign?.name ?? '');
  const [description, setDescription] = useState(campaign?.description ?? '');
  const [owner, setOwner] = useState(
    campaign?.owner ?? 'group:default/security-leads',
  );
  const [checkIds, setCheckIds] = useState<string[]>(
    campaign?.target.checkIds ?? [],
  );
  const [minGrade, setMinGrade] = useState<Grade | ''>(
    campaign?.target.minGrade ?? '',
  );
  const [domain, setDomain] = useState<Domain | ''>(
    campaign?.target.domain ?? '',
  );
  const [scope, setScope] = useState<Record<ScopeKey, string>>(() =>
    campaign
      ? scopeText(campaign.scope)
      : { ...scopeText(ANY_CAMPAIGN_SCOPE), lifecycles: 'production' },
  );
  const [deadline, setDeadline] = useState(
    campaign ? dateOf(campaign.deadline) : inDays(28),
  );
  const [start, setStart] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();

  const submit = async () => {
    setBusy(true);
    setError(undefined);
    const fields = {
      name: name.trim(),
      description,
      owner: owner.trim(),
      target: {
        checkIds,
        ...(minGrade ? { minGrade } : {}),
        ...(minGrade && domain ? { domain } : {}),
      },
      scope: Object.fromEntries(
        SCOPE_FIELDS.map(f => [f.key, list(scope[f.key])]),
      ) as Record<ScopeKey, string[]>,
    };
    const deadlineAt = new Date(`${deadline}T23:59:59Z`).toISOString();
    try {
      if (campaign) {
        await api.updateCampaign(campaign.id, {
          ...fields,
          // An unchanged date keeps the deadline's time as it was.
          ...(deadline === dateOf(campaign.deadline)
            ? {}
            : { deadline: deadlineAt }),
        });
      } else {
        await api.createCampaign({
          ...fields,
          startsAt: new Date().toISOString(),
          deadline: deadlineAt,
          state: start ? 'active' : 'draft',
        });
      }
      props.onSaved();
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };

  const options = [...(checks.value?.values() ?? [])];
  return (
    <Dialog
      open
      onClose={props.onClose}
      fullWidth
      maxWidth="md"
      aria-labelledby="sg-campaign-dialog"
    >
      <DialogTitle id="sg-campaign-dialog">
        {campaign ? `Change ${campaign.name}` : 'New campaign'}
      </DialogTitle>
      <DialogContent>
        <DialogContentText>
          Name at least one check that must pass (or be exempt), or a minimum
          grade. Owning teams see what is due on their pages; nothing is
          blocked.
        </DialogContentText>
        <TextField
          id="sg-campaign-name"
          label="Name"
          required
          fullWidth
          margin="dense"
          value={name}
          onChange={e => setName(e.target.value)}
          helperText="At least 3 characters"
        />
        <TextField
          id="sg-campaign-description"
          label="Why it matters (markdown)"
          fullWidth
          multiline
          minRows={2}
          margin="dense"
          value={description}
          onChange={e => setDescription(e.target.value)}
        />
        <Autocomplete
          multiple
          options={options.map(o => o.id)}
          getOptionLabel={id => `${checks.value?.get(id)?.title ?? id} (${id})`}
          value={checkIds}
          onChange={(_e, v) => setCheckIds(v)}
          renderInput={params => (
            <TextField
              {...params}
              id="sg-campaign-checks"
              label="Checks that must pass"
              margin="dense"
            />
          )}
        />
        <TextField
          select
          id="sg-campaign-grade"
          label="Minimum grade"
          margin="dense"
          style={{ minWidth: 160, marginRight: 16 }}
          value={minGrade}
          onChange={e => setMinGrade(e.target.value as Grade | '')}
        >
          <MenuItem value="">none</MenuItem>
          {(['A', 'B', 'C', 'D'] as Grade[]).map(g => (
            <MenuItem key={g} value={g}>
              {g} or better
            </MenuItem>
          ))}
        </TextField>
        <TextField
          select
          id="sg-campaign-domain"
          label="In domain"
          margin="dense"
          style={{ minWidth: 220 }}
          disabled={!minGrade}
          value={domain}
          onChange={e => setDomain(e.target.value as Domain | '')}
        >
          <MenuItem value="">overall</MenuItem>
          {DOMAINS.map(d => (
            <MenuItem key={d} value={d}>
              {DOMAIN_TITLES[d]}
            </MenuItem>
          ))}
        </TextField>
        {SCOPE_FIELDS.map(f => (
          <TextField
            key={f.key}
            id={`sg-campaign-${f.key}`}
            label={f.label}
            fullWidth
            margin="dense"
            placeholder={f.placeholder}
            value={scope[f.key]}
            onChange={e => setScope({ ...scope, [f.key]: e.target.value })}
          />
        ))}
        <DialogContentText variant="caption">
          A service is in scope when it matches every field filled in, and a
          field when it has any of its values.
        </DialogContentText>
        <TextField
          id="sg-campaign-owner"
          label="Run by"
          fullWidth
          margin="dense"
          value={owner}
          onChange={e => setOwner(e.target.value)}
        />
        <TextField
          id="sg-campaign-deadline"
          label="Deadline"
          type="date"
          margin="dense"
          InputLabelProps={{ shrink: true }}
          value={deadline}
          onChange={e => setDeadline(e.target.value)}
        />
        {!campaign && (
          <FormControlLabel
            control={
              <Checkbox
                checked={start}
                onChange={e => setStart(e.target.checked)}
                color="primary"
              />
            }
            label="Start now (otherwise a draft)"
          />
        )}
        <ActionError error={error} />
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Cancel</Button>
        <Button
          color="primary"
          variant="contained"
          disabled={
            busy ||
            name.trim().length < 3 ||
            (checkIds.length === 0 && !minGrade)
          }
          onClick={submit}
        >
          {campaign ? 'Save' : 'Create'}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
