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

/**
 * A new campaign: name, why (markdown), the checks and/or grade to reach,
 * the services it applies to, and the deadline. The backend names any field
 * it refuses.
 */
export function NewCampaignDialog(props: {
  onClose: () => void;
  onCreated: () => void;
}) {
  const api = useApi(securityGuardrailsApiRef);
  const checks = useCheckCatalogue();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [owner, setOwner] = useState('group:default/security-leads');
  const [checkIds, setCheckIds] = useState<string[]>([]);
  const [minGrade, setMinGrade] = useState<Grade | ''>('');
  const [domain, setDomain] = useState<Domain | ''>('');
  const [lifecycles, setLifecycles] = useState('production');
  const [owners, setOwners] = useState('');
  const [systems, setSystems] = useState('');
  const [tags, setTags] = useState('');
  const [namespaces, setNamespaces] = useState('');
  const [clusters, setClusters] = useState('');
  const [deadline, setDeadline] = useState(inDays(28));
  const [start, setStart] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();

  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await api.createCampaign({
        name: name.trim(),
        description,
        owner: owner.trim(),
        startsAt: new Date().toISOString(),
        deadline: new Date(`${deadline}T23:59:59Z`).toISOString(),
        target: {
          checkIds,
          ...(minGrade ? { minGrade } : {}),
          ...(minGrade && domain ? { domain } : {}),
        },
        scope: {
          lifecycles: list(lifecycles),
          owners: list(owners),
          systems: list(systems),
          tags: list(tags),
          namespaces: list(namespaces),
          clusters: list(clusters),
        },
        state: start ? 'active' : 'draft',
      });
      props.onCreated();
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
      aria-labelledby="sg-new-campaign"
    >
      <DialogTitle id="sg-new-campaign">New campaign</DialogTitle>
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
        <TextField
          id="sg-campaign-lifecycles"
          label="Lifecycles (comma-separated, empty for all)"
          fullWidth
          margin="dense"
          value={lifecycles}
          onChange={e => setLifecycles(e.target.value)}
        />
        <TextField
          id="sg-campaign-owners"
          label="Owning groups (full refs, comma-separated, empty for all)"
          fullWidth
          margin="dense"
          placeholder="group:default/payments-team"
          value={owners}
          onChange={e => setOwners(e.target.value)}
        />
        <TextField
          id="sg-campaign-systems"
          label="Systems (full refs, comma-separated, empty for all)"
          fullWidth
          margin="dense"
          placeholder="system:default/shop"
          value={systems}
          onChange={e => setSystems(e.target.value)}
        />
        <TextField
          id="sg-campaign-tags"
          label="Catalog tags (comma-separated, any of them; empty for all)"
          fullWidth
          margin="dense"
          placeholder="pci"
          value={tags}
          onChange={e => setTags(e.target.value)}
        />
        <TextField
          id="sg-campaign-namespaces"
          label="Kubernetes namespaces (comma-separated, any of them; empty for all)"
          fullWidth
          margin="dense"
          value={namespaces}
          onChange={e => setNamespaces(e.target.value)}
        />
        <TextField
          id="sg-campaign-clusters"
          label="Clusters (comma-separated, any of them; empty for all)"
          fullWidth
          margin="dense"
          value={clusters}
          onChange={e => setClusters(e.target.value)}
          helperText="A service is in scope when it matches every field filled in."
        />
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
          Create
        </Button>
      </DialogActions>
    </Dialog>
  );
}
