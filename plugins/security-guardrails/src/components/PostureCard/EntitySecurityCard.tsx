import { ReactNode } from 'react';
import {
  Box,
  Grid,
  LinearProgress,
  List,
  ListItem,
  ListItemText,
  Typography,
} from '@material-ui/core';
import { EmptyState, InfoCard, Link } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  DOMAIN_TITLES,
  DOMAINS,
  EntityPosture,
  failureCounts,
  failureLabel,
  SEVERITIES,
} from '@internal/backstage-plugin-security-guardrails-common';
import { RequestAccessButton } from '../access/RequestAccessDialog';
import { GradeBadge, SeverityChip } from '../common/Badges';
import { ScoreRing } from '../common/ScoreRing';
import { isMapped, MissingAnnotation } from '../common/EmptyStates';
import { Freshness } from '../common/Freshness';
import { PostureSkeleton } from '../common/PostureSkeleton';
import { EntityCampaigns } from '../Campaigns/EntityCampaigns';
import { BackendError } from '../common/BackendError';
import { usePosture } from '../../hooks/usePosture';
import { useRefreshPosture } from '../../hooks/useRefreshPosture';
import { EvaluateNowButton, RefreshNotice } from '../common/RefreshNotice';
import { useCheckCatalogue } from '../../hooks/useCheckCatalogue';
import { useSecurityTabLink } from '../../hooks/useSecurityTabLink';

export function PostureSummaryView(props: {
  posture: EntityPosture;
  maxFailures?: number;
  actions?: ReactNode;
  /** Where a failing check links to (its row in the Security tab). */
  checkLink?: (checkId: string) => string;
}) {
  const { posture } = props;
  const checks = useCheckCatalogue();
  const overall = posture.score.overall;
  const failing = posture.results
    .filter(r => r.status === 'fail')
    .sort(
      (a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity),
    );
  const counts = failureCounts(posture.results);
  const top = failing.slice(0, props.maxFailures ?? 5);
  return (
    <Grid container spacing={2}>
      <Grid item xs={12} sm={5}>
        <Box display="flex" alignItems="center" style={{ gap: 16 }}>
          <ScoreRing score={overall.score} grade={overall.grade} />
          <GradeBadge grade={overall.grade} size="large" />
        </Box>
        <Typography
          variant="caption"
          color="textSecondary"
          component="p"
          style={{ marginTop: 8 }}
        >
          Why this grade: {overall.explanation}
        </Typography>
      </Grid>
      <Grid item xs={12} sm={7}>
        {DOMAINS.map(d => {
          const b = posture.score.domains[d];
          return (
            <Box
              key={d}
              display="flex"
              alignItems="center"
              style={{ gap: 8 }}
              mb={1}
            >
              <GradeBadge
                grade={b.grade}
                title={`${DOMAIN_TITLES[d]}: ${b.explanation}`}
              />
              <Box flex={1}>
                <Typography variant="body2">
                  {DOMAIN_TITLES[d]}{' '}
                  {b.score === null ? '— no data' : `— ${b.score}`}
                </Typography>
                <LinearProgress
                  variant="determinate"
                  value={b.score ?? 0}
                  aria-label={`${DOMAIN_TITLES[d]} score`}
                />
              </Box>
            </Box>
          );
        })}
      </Grid>
      <Grid item xs={12}>
        <Typography variant="subtitle2">
          {counts.results === 0
            ? failureLabel(counts)
            : `Top failures: ${failureLabel(counts)}`}
        </Typography>
        <List dense disablePadding>
          {top.map(r => (
            <ListItem
              key={`${r.checkId}|${r.resource.kind}|${r.resource.name}|${
                r.container ?? ''
              }`}
              disableGutters
            >
              <Box mr={1}>
                <SeverityChip severity={r.severity} />
              </Box>
              <ListItemText
                primary={
                  props.checkLink ? (
                    <Link to={props.checkLink(r.checkId)}>
                      {checks.value?.get(r.checkId)?.title ?? r.checkId}
                    </Link>
                  ) : (
                    checks.value?.get(r.checkId)?.title ?? r.checkId
                  )
                }
                secondary={`${r.checkId} · ${r.resource.kind}/${
                  r.resource.name
                }${r.container ? ` [${r.container}]` : ''}: ${r.message}`}
              />
            </ListItem>
          ))}
        </List>
      </Grid>
      <Grid item xs={12}>
        <EntityCampaigns compact />
        <Freshness posture={posture} />
        {props.actions}
      </Grid>
    </Grid>
  );
}

/**
 * The overview card on a service's entity page: score, grade, domains, top
 * failures and freshness.
 */
export function EntitySecurityCard(props: {
  title?: string;
  actions?: ReactNode;
}) {
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const mapped = isMapped(entity);
  const posture = usePosture(entityRef, mapped);
  const checkLink = useSecurityTabLink(entity);
  const title = props.title ?? 'Security';

  const { refresh, refreshing, refreshError, refreshWait, canRefresh } =
    useRefreshPosture(entityRef, posture.retry);

  let content: ReactNode;
  if (!mapped) {
    content = <MissingAnnotation entity={entity} />;
  } else if (posture.value === undefined) {
    content = posture.error ? null : <PostureSkeleton />;
  } else if (!posture.value) {
    content = (
      <EmptyState
        missing="data"
        title="Not evaluated yet"
        description={
          posture.waitingReason ??
          'The backend has no posture for this service yet. Evaluate it now to see its score.'
        }
        action={
          <EvaluateNowButton
            onClick={refresh}
            disabled={!canRefresh}
            busy={refreshing}
          />
        }
      />
    );
  } else {
    content = (
      <PostureSummaryView
        posture={posture.value}
        checkLink={checkLink}
        actions={
          props.actions ?? (
            <Box mt={1}>
              <RequestAccessButton entityRef={entityRef} />
            </Box>
          )
        }
      />
    );
  }
  return (
    <InfoCard
      title={title}
      subheader="Posture across architecture, implementation, observability, response and maintenance"
    >
      {mapped && <BackendError data={posture} what="this posture" />}
      <RefreshNotice wait={refreshWait} error={refreshError} />
      {content}
    </InfoCard>
  );
}
