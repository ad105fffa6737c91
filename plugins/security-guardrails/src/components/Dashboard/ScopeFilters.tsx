import {
  Box,
  Button,
  MenuItem,
  TextField,
  Typography,
} from '@material-ui/core';
import { EntityDisplayName } from '@backstage/plugin-catalog-react';
import { PostureSummary } from '@internal/backstage-plugin-security-guardrails-common';
import { DashboardFilters } from '../../hooks/useDashboardData';

function Choice(props: {
  id: string;
  label: string;
  any: string;
  value: string;
  keys: string[];
  onChange: (value: string) => void;
  entities?: boolean;
}) {
  return (
    <TextField
      select
      id={props.id}
      label={props.label}
      value={
        props.keys.includes(props.value) || !props.value ? props.value : ''
      }
      onChange={e => props.onChange(e.target.value)}
      style={{ minWidth: 220 }}
    >
      <MenuItem value="">{props.any}</MenuItem>
      {props.keys.map(key => (
        <MenuItem key={key} value={key}>
          {props.entities ? (
            <EntityDisplayName entityRef={key} hideIcon disableTooltip />
          ) : (
            key
          )}
        </MenuItem>
      ))}
    </TextField>
  );
}

/** The keys of a grouping that name something (not "(no owner)"). */
function keysOf(
  summary: PostureSummary | undefined,
  prefix?: string,
): string[] {
  return (summary?.groups ?? [])
    .map(g => g.key)
    .filter(k => !k.startsWith('(') && (!prefix || /^[a-z]+:/.test(k)))
    .sort();
}

/**
 * Which services the whole dashboard is about: an owner, a system, a
 * lifecycle. The choices come from the whole organisation; the view is in
 * the URL, so it can be shared.
 */
export function ScopeFilters(props: {
  filters: DashboardFilters;
  onFilters: (filters: DashboardFilters) => void;
  owners?: PostureSummary;
  systems?: PostureSummary;
  lifecycles?: PostureSummary;
}) {
  const { filters } = props;
  const set = (key: 'owner' | 'system' | 'lifecycle') => (value: string) =>
    props.onFilters({ ...filters, [key]: value });
  const scoped = Boolean(filters.owner || filters.system || filters.lifecycle);
  return (
    <Box
      display="flex"
      flexWrap="wrap"
      alignItems="flex-end"
      style={{ gap: 16 }}
      component="section"
      aria-label="Dashboard filters"
    >
      <Choice
        id="sg-scope-owner"
        label="Owner"
        any="All owners"
        value={filters.owner}
        keys={keysOf(props.owners, 'entity')}
        onChange={set('owner')}
        entities
      />
      <Choice
        id="sg-scope-system"
        label="System"
        any="All systems"
        value={filters.system}
        keys={keysOf(props.systems, 'entity')}
        onChange={set('system')}
        entities
      />
      <Choice
        id="sg-scope-lifecycle"
        label="Lifecycle"
        any="All lifecycles"
        value={filters.lifecycle}
        keys={keysOf(props.lifecycles)}
        onChange={set('lifecycle')}
      />
      {scoped && (
        <Button
          onClick={() =>
            props.onFilters({
              ...filters,
              owner: '',
              system: '',
              lifecycle: '',
            })
          }
        >
          Clear filters
        </Button>
      )}
      <Typography variant="caption" color="textSecondary">
        {scoped
          ? 'Every card counts only these services; copy the address to share this view.'
          : 'Every card counts the whole organisation.'}
      </Typography>
    </Box>
  );
}
