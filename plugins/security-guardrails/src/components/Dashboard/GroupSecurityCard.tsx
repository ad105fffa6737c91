import {
  Box,
  List,
  ListItem,
  ListItemText,
  Typography,
} from '@material-ui/core';
import { EmptyState, InfoCard, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  failingChecksLabel,
  SummaryGroup,
} from '@internal/backstage-plugin-security-guardrails-common';
import { securityGuardrailsApiRef } from '../../api';
import { rootRouteRef } from '../../routes';
import { EntityLink } from '../access/RequestSummary';
import { GradeBadge } from '../common/Badges';
import { GradeDistribution } from './GradeDistribution';
import { BackendError } from '../common/BackendError';
import { TeamCampaigns } from '../Campaigns/TeamCampaigns';
import { useBackendData } from '../../hooks/useBackendData';
import { useOptionalRouteRef } from '../../hooks/useOptionalRouteRef';

/** The team's line: services, average score, share at B or better, critical failing checks. */
function RollupLine(props: { group: SummaryGroup }) {
  const r = props.group;
  return (
    <Typography variant="body1">
      {r.services} service{r.services === 1 ? '' : 's'} · average score{' '}
      {r.averageScore ?? '–'} ·{' '}
      {r.shareBOrBetter === null
        ? '–'
        : `${Math.round(r.shareBOrBetter * 100)}%`}{' '}
      at B or better · {r.criticalFailures} critical failing check
      {r.criticalFailures === 1 ? '' : 's'}
    </Typography>
  );
}

const WORDS = {
  owner: {
    title: "Security posture of the team's services",
    none: 'This team owns no service with a Kubernetes mapping yet (backstage.io/kubernetes-id).',
    what: "the team's services",
  },
  system: {
    title: "Security posture of the system's services",
    none: 'No service of this system has a Kubernetes mapping yet (backstage.io/kubernetes-id).',
    what: "the system's services",
  },
};

/**
 * The rollup of the services an entity groups: a team's (by owner) on a
 * Group's page, a system's on a System's page. The numbers are the
 * backend's, as on the dashboard, which it links to scoped the same way.
 */
function ServicesRollupCard(props: { by: 'owner' | 'system' }) {
  const { by } = props;
  const { entity } = useEntity();
  const groupRef = stringifyEntityRef(entity);
  const api = useApi(securityGuardrailsApiRef);
  const dashboard = useOptionalRouteRef(rootRouteRef);
  const words = WORDS[by];
  const data = useBackendData(
    () => api.listPostures({ [by]: [groupRef], limit: 500 }),
    [api, by, groupRef],
  );
  // The rollup as the backend computes it for the dashboard: one number everywhere.
  const rollup = useBackendData(
    async () =>
      (await api.getSummary(by, { [by]: [groupRef] })).groups.find(
        g => g.key === groupRef,
      ),
    [api, by, groupRef],
  );

  let content;
  if (data.value === undefined) content = data.error ? null : <Progress />;
  else if (!data.value.items.length) {
    content = (
      <EmptyState
        missing="data"
        title="No evaluated services"
        description={words.none}
      />
    );
  } else {
    const items = data.value.items;
    const worst = [...items]
      .sort((a, b) => (a.score ?? 101) - (b.score ?? 101))
      .slice(0, 5);
    let summary;
    if (rollup.loading && !rollup.value) summary = <Progress />;
    else if (rollup.error && !rollup.value) {
      summary = (
        <Typography variant="body2" color="textSecondary">
          The rollup of {words.what} could not be read: {rollup.error.message}
        </Typography>
      );
    } else if (rollup.value) {
      summary = (
        <>
          <RollupLine group={rollup.value} />
          <Box my={2}>
            <GradeDistribution grades={rollup.value.grades} />
          </Box>
        </>
      );
    }
    content = (
      <Box>
        {summary}
        <Typography variant="subtitle2">Needs attention first</Typography>
        <List dense disablePadding>
          {worst.map(p => (
            <ListItem key={p.entityRef} disableGutters>
              <Box mr={1}>
                <GradeBadge grade={p.grade} />
              </Box>
              <ListItemText
                primary={<EntityLink entityRef={p.entityRef} />}
                secondary={`${p.score ?? 'no data'} · ${failingChecksLabel(
                  p.failingChecks.length,
                )}`}
              />
            </ListItem>
          ))}
        </List>
        {by === 'owner' && <TeamCampaigns groupRef={groupRef} />}
      </Box>
    );
  }
  return (
    <InfoCard
      title={words.title}
      deepLink={
        dashboard
          ? {
              title: 'Adoption dashboard for these services',
              link: `${dashboard()}?${by}=${encodeURIComponent(groupRef)}`,
            }
          : undefined
      }
    >
      <BackendError data={data} what={words.what} />
      {content}
    </InfoCard>
  );
}

/** On a Group's page: how the team's services are doing. */
export function GroupSecurityCard() {
  return <ServicesRollupCard by="owner" />;
}

/** On a System's page: how the system's services are doing. */
export function SystemSecurityCard() {
  return <ServicesRollupCard by="system" />;
}
