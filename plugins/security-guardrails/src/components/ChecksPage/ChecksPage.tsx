import { Fragment, useState } from 'react';
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
  CodeSnippet,
  EmptyState,
  InfoCard,
  Link,
  MarkdownContent,
  Progress,
} from '@backstage/core-components';
import { useSearchParams } from 'react-router-dom';
import { useApi } from '@backstage/core-plugin-api';
import {
  CheckDescription,
  CheckResult,
  DOMAIN_TITLES,
  DOMAINS,
  fillFix,
  referenceUrl,
  splitRemediation,
} from '@internal/backstage-plugin-security-guardrails-common';
import { SeverityChip } from '../common/Badges';
import { BackendError } from '../common/BackendError';
import { useCheckCatalogue } from '../../hooks/useCheckCatalogue';
import { useBackendData } from '../../hooks/useBackendData';
import { securityGuardrailsApiRef } from '../../api';

/** A remediation document with a copy button on each code block. */
function Remediation(props: { markdown: string }) {
  return (
    <>
      {splitRemediation(props.markdown).map((part, i) =>
        part.kind === 'code' ? (
          <Box key={i} my={1}>
            <CodeSnippet
              language={part.language}
              text={part.text}
              showCopyCodeButton
            />
          </Box>
        ) : (
          <MarkdownContent key={i} content={part.text} dialect="gfm" />
        ),
      )}
    </>
  );
}

/** The check's fix filled in for one failing result: the patch for its object and container. */
function FilledFixView(props: {
  check: CheckDescription;
  result: CheckResult;
}) {
  const filled =
    props.check.fix &&
    (props.result.status === 'fail' || props.result.status === 'warn')
      ? fillFix(props.result, props.check.fix)
      : undefined;
  if (!filled) return null;
  return (
    <Box mb={2} data-testid="filled-fix">
      <Typography variant="subtitle2">
        For {filled.target}
        {filled.container ? `, container ${filled.container}` : ''}
      </Typography>
      <Typography variant="body2">
        Merge these lines into the manifest, or apply them to the running object
        with <code>kubectl patch</code>:
      </Typography>
      <Box my={1}>
        <CodeSnippet language="yaml" text={filled.patch} showCopyCodeButton />
      </Box>
      <Box my={1}>
        <CodeSnippet language="sh" text={filled.command} showCopyCodeButton />
      </Box>
      {filled.note && (
        <Typography variant="body2" color="textSecondary">
          {filled.note}
        </Typography>
      )}
    </Box>
  );
}

function Reference(props: { reference: string }) {
  const url = referenceUrl(props.reference);
  return url ? <Link to={url}>{props.reference}</Link> : <>{props.reference}</>;
}

/** Rationale and remediation of one check, rendered in place; with a result, its fix filled in first. */
export function CheckDoc(props: {
  check: CheckDescription;
  result?: CheckResult;
}) {
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
      {props.result && <FilledFixView check={check} result={props.result} />}
      <Remediation markdown={check.remediation} />
      {check.references?.length ? (
        <Typography variant="caption" color="textSecondary" component="p">
          References:{' '}
          {check.references.map((r, i) => (
            <Fragment key={r}>
              {i > 0 && ' · '}
              <Reference reference={r} />
            </Fragment>
          ))}
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
/** The campaigns (not ended) whose target names a check. */
function CampaignsOfCheck(props: { checkId: string }) {
  const api = useApi(securityGuardrailsApiRef);
  const campaigns = useBackendData(() => api.listCampaigns(), [api]);
  const named = (campaigns.value ?? []).filter(
    c => c.state !== 'ended' && c.target.checkIds.includes(props.checkId),
  );
  if (named.length === 0) return null;
  return (
    <Box
      mb={2}
      display="flex"
      flexWrap="wrap"
      alignItems="center"
      style={{ gap: 8 }}
    >
      <Typography variant="body2">In campaigns:</Typography>
      {named.map(c => (
        <Chip
          key={c.id}
          size="small"
          color="primary"
          variant="outlined"
          label={`${c.name} (${c.state})`}
        />
      ))}
    </Box>
  );
}

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
            <>
              <CampaignsOfCheck checkId={selected.id} />
              <CheckDoc check={selected} />
            </>
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
