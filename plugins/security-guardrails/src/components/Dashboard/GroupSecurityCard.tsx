import {
  Box,
  List,
  ListItem,
  ListItemText,
  Typography,
} from '@material-ui/core';
import {
  EmptyState,
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { stringifyEntityRef } from '@backstage/catalog-model';
import useAsync from 'react-use/esm/useAsync';
import {
  failingChecksLabel,
  Grade,
  isGradeAtLeast,
  PostureListItem,
} from '@internal/backstage-plugin-security-guardrails-common';
import { securityGuardrailsApiRef } from '../../api';
import { rootRouteRef } from '../../routes';
import { EntityLink } from '../access/RequestSummary';
import { GradeBadge } from '../common/Badges';
import { GradeDistribution } from './AdoptionDashboard';
import { useOptionalRouteRef } from '../common/useOptionalRouteRef';

/** The team's rollup, computed from its services' postures. */
export function rollup(items: PostureListItem[]) {
  const grades: Record<Grade | 'none', number> = {
    A: 0,
    B: 0,
    C: 0,
    D: 0,
    F: 0,
    none: 0,
  };
  const scored: number[] = [];
  let critical = 0;
  let good = 0;
  for (const p of items) {
    grades[p.grade ?? 'none']++;
    if (p.score !== null) scored.push(p.score);
    if (p.grade && isGradeAtLeast(p.grade, 'B')) good++;
    critical += p.criticalFailures;
  }
  return {
    services: items.length,
    grades,
    averageScore: scored.length
      ? Math.round((scored.reduce((a, b) => a + b, 0) / scored.length) * 10) /
        10
      : null,
    shareBOrBetter: scored.length ? good / scored.length : null,
    criticalFailures: critical,
  };
}

/** On a Group's page: how the team's services are doing. */
export function GroupSecurityCard() {
  const { entity } = useEntity();
  const groupRef = stringifyEntityRef(entity);
  const api = useApi(securityGuardrailsApiRef);
  const dashboard = useOptionalRouteRef(rootRouteRef);
  const data = useAsync(
    () => api.listPostures({ owner: [groupRef], limit: 500 }),
    [api, groupRef],
  );

  let content;
  if (data.loading) content = <Progress />;
  else if (data.error) content = <ResponseErrorPanel error={data.error} />;
  else if (!data.value?.items.length) {
    content = (
      <EmptyState
        missing="data"
        title="No evaluated services"
        description="This team owns no service with a Kubernetes mapping yet (backstage.io/kubernetes-id)."
      />
    );
  } else {
    const items = data.value.items;
    const r = rollup(items);
    const worst = [...items]
      .sort((a, b) => (a.score ?? 101) - (b.score ?? 101))
      .slice(0, 5);
    content = (
      <Box>
        <Typography variant="body1">
          {r.services} service{r.services === 1 ? '' : 's'} · average score{' '}
          {r.averageScore ?? '–'} ·{' '}
          {r.shareBOrBetter === null
            ? '–'
            : `${Math.round(r.shareBOrBetter * 100)}%`}{' '}
          at B or better · {r.criticalFailures} critical failing check
          {r.criticalFailures === 1 ? '' : 's'}
        </Typography>
        <Box my={2}>
          <GradeDistribution grades={r.grades} />
        </Box>
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
      </Box>
    );
  }
  return (
    <InfoCard
      title="Security posture of the team's services"
      deepLink={
        dashboard
          ? { title: 'Adoption dashboard', link: dashboard() }
          : undefined
      }
    >
      {content}
    </InfoCard>
  );
}
