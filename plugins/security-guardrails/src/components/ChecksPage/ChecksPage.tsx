import { useState } from 'react';
import {
  Box,
  Chip,
  Grid,
  List,
  ListItem,
  ListItemText,
  TextField,
  Typography,
} from '@material-ui/core';
import {
  EmptyState,
  InfoCard,
  MarkdownContent,
  Progress,
} from '@backstage/core-components';
import { useSearchParams } from 'react-router-dom';
import {
  CheckDescription,
  DOMAIN_TITLES,
  DOMAINS,
} from '@internal/backstage-plugin-security-guardrails-common';
import { SeverityChip } from '../common/Badges';
import { BackendError } from '../common/BackendError';
import { useCheckCatalogue } from '../../hooks/useCheckCatalogue';

/** Rationale and remediation of one check, rendered in place. */
export function CheckDoc(props: { check: CheckDescription }) {
  const { check } = props;
  return (
    <Box>
      <Box display="flex" alignItems="center" style={{ gap: 8 }} mb={1}>
        <SeverityChip severity={check.severity} />
        <Chip size="small" label={DOMAIN_TITLES[check.domain]} />
        <Typography variant="caption" color="textSecondary">
          {check.id}
        </Typography>
      </Box>
      <Typography variant="h6" component="h3">
        {check.title}
      </Typography>
      <Typography variant="body2" paragraph>
        {check.rationale}
      </Typography>
      {check.severityRule && (
        <Typography variant="body2" paragraph>
          <strong>Severity:</strong> {check.severity} by default.{' '}
          {check.severityRule} Each result shows its own.
        </Typography>
      )}
      <Typography variant="subtitle2">How to fix it</Typography>
      <MarkdownContent content={check.remediation} dialect="gfm" />
      {check.references?.length ? (
        <Typography variant="caption" color="textSecondary">
          References: {check.references.join(' · ')}
        </Typography>
      ) : null}
    </Box>
  );
}

function matches(check: CheckDescription, text: string): boolean {
  const q = text.trim().toLowerCase();
  if (!q) return true;
  return [
    check.id,
    check.title,
    check.rationale,
    check.domain,
    check.severity,
  ].some(f => f.toLowerCase().includes(q));
}

/** Every check with its rationale and remediation, searchable. */
export function ChecksPage() {
  const catalogue = useCheckCatalogue();
  const { value } = catalogue;
  const [params, setParams] = useSearchParams();
  const [search, setSearch] = useState('');

  if (value === undefined) {
    return catalogue.error ? (
      <BackendError data={catalogue} what="the check catalogue" />
    ) : (
      <Progress />
    );
  }
  const checks = [...(value?.values() ?? [])];
  const shown = checks.filter(c => matches(c, search));
  const checkId = params.get('check');
  const selected = (checkId && value?.get(checkId)) || shown[0];

  return (
    <Grid container spacing={3}>
      <Grid item xs={12} md={4}>
        <InfoCard title={`Checks (${checks.length})`} noPadding>
          <Box p={2}>
            <TextField
              fullWidth
              id="sg-search-checks"
              label="Search checks"
              placeholder="id, title, domain or severity"
              value={search}
              onChange={e => setSearch(e.target.value)}
              inputProps={{ 'aria-label': 'Search checks' }}
            />
          </Box>
          {shown.length === 0 ? (
            <Box p={2}>
              <Typography variant="body2">
                No check matches "{search}".
              </Typography>
            </Box>
          ) : (
            <List dense style={{ maxHeight: 640, overflow: 'auto' }}>
              {DOMAINS.flatMap(domain => {
                const inDomain = shown.filter(c => c.domain === domain);
                if (inDomain.length === 0) return [];
                return [
                  <ListItem key={`h-${domain}`}>
                    <Typography variant="overline">
                      {DOMAIN_TITLES[domain]}
                    </Typography>
                  </ListItem>,
                  ...inDomain.map(c => (
                    <ListItem
                      key={c.id}
                      button
                      selected={selected?.id === c.id}
                      onClick={() => setParams({ check: c.id })}
                    >
                      <ListItemText
                        primary={c.title}
                        secondary={`${c.id} · ${c.severity}`}
                      />
                    </ListItem>
                  )),
                ];
              })}
            </List>
          )}
        </InfoCard>
      </Grid>
      <Grid item xs={12} md={8}>
        <InfoCard title="Remediation">
          {selected ? (
            <CheckDoc check={selected} />
          ) : (
            <EmptyState
              missing="data"
              title="No check selected"
              description="Pick a check on the left."
            />
          )}
        </InfoCard>
      </Grid>
    </Grid>
  );
}
