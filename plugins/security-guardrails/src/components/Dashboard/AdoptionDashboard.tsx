/*
 * The security lead's view: adoption across teams, what moved, who holds
 * what. A layout of cards over one data hook (useDashboardData).
 */
import { useState } from 'react';
import { Grid, Typography } from '@material-ui/core';
import { EmptyState, InfoCard, Progress } from '@backstage/core-components';
import { SummaryGroupBy } from '@internal/backstage-plugin-security-guardrails-common';
import { relativeTime } from '../common/time';
import { BackendError } from '../common/BackendError';
import { NO_FILTERS, useDashboardData } from '../../hooks/useDashboardData';
import { ExemptionsCard, GrantsCard, StandingAccessCard } from './AccessCards';
import { AdoptionKpis } from './AdoptionKpis';
import { GradeDistribution } from './GradeDistribution';
import { GroupTable } from './GroupTable';
import { MoversCard } from './MoversCard';
import { PassRateTable } from './PassRateTable';
import { ServicesCard } from './ServicesCard';

export { GradeDistribution } from './GradeDistribution';

/** The security lead's view: adoption across teams, what moved, who holds what. */
export function AdoptionDashboard() {
  const [groupBy, setGroupBy] = useState<SummaryGroupBy>('owner');
  const [filters, setFilters] = useState(NO_FILTERS);
  const data = useDashboardData(groupBy, filters);
  const { summary } = data;

  if (summary.value === undefined) {
    return summary.error ? (
      <BackendError data={summary} what="the adoption summary" />
    ) : (
      <Progress />
    );
  }
  const s = summary.value;
  if (s.overall.services === 0) {
    return (
      <EmptyState
        missing="data"
        title="No posture yet"
        description="No catalog entity with a backstage.io/kubernetes-id or kubernetes-label-selector annotation has been evaluated. Annotate services and configure securityGuardrails.clusters."
      />
    );
  }

  return (
    <Grid container spacing={3}>
      {summary.error && (
        <Grid item xs={12}>
          <BackendError data={summary} what="the adoption summary" />
        </Grid>
      )}
      <Grid item xs={12}>
        <AdoptionKpis summary={s} trend={data.trend.value} />
      </Grid>
      <Grid item xs={12} md={4}>
        <InfoCard title="Grade distribution">
          <GradeDistribution grades={s.overall.grades} />
        </InfoCard>
      </Grid>
      <Grid item xs={12} md={8}>
        <MoversCard summary={s} />
      </Grid>
      <Grid item xs={12}>
        <GroupTable summary={s} groupBy={groupBy} onGroupBy={setGroupBy} />
      </Grid>
      <Grid item xs={12}>
        <ServicesCard
          filters={filters}
          onFilters={setFilters}
          services={data.services}
          owners={data.owners.value}
          systems={data.systems.value}
        />
      </Grid>
      <Grid item xs={12} md={6}>
        <GrantsCard grants={data.grants} />
      </Grid>
      <Grid item xs={12} md={6}>
        <StandingAccessCard standingAccess={data.standingAccess} />
      </Grid>
      <Grid item xs={12} md={6}>
        <ExemptionsCard exemptions={data.exemptions} />
      </Grid>
      <Grid item xs={12} md={6}>
        <PassRateTable summary={s} />
      </Grid>
      <Grid item xs={12}>
        <Typography variant="caption" color="textSecondary">
          Clusters:{' '}
          {s.clusters
            .map(
              c => `${c.cluster} (${c.status}, read ${relativeTime(c.readAt)})`,
            )
            .join(', ') || 'none configured'}
          . Generated {relativeTime(s.generatedAt)}.
        </Typography>
      </Grid>
    </Grid>
  );
}
