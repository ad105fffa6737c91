/*
 * The security lead's view: adoption across teams, what moved, who holds
 * what. A layout of cards over one data hook (useDashboardData).
 */
import { Grid, Typography } from '@material-ui/core';
import { EmptyState, InfoCard, Progress } from '@backstage/core-components';
import { relativeTime } from '../common/time';
import { BackendError } from '../common/BackendError';
import {
  useDashboardData,
  useDashboardView,
} from '../../hooks/useDashboardData';
import { BackendData } from '../../hooks/useBackendData';
import { ScopeFilters } from './ScopeFilters';
import { ExemptionsCard, GrantsCard, StandingAccessCard } from './AccessCards';
import { AdoptionKpis } from './AdoptionKpis';
import { GradeDistribution } from './GradeDistribution';
import { GroupTable } from './GroupTable';
import { MoversCard } from './MoversCard';
import { PassRateTable } from './PassRateTable';
import { ServicesCard } from './ServicesCard';

export { GradeDistribution } from './GradeDistribution';

/** Keeps what concerns the services in scope (all of them when the page is not filtered). */
function narrowed<T>(
  data: BackendData<T>,
  inScope: Set<string> | undefined,
  pick: (value: T, keep: (entityRef?: string) => boolean) => T,
): BackendData<T> {
  if (!inScope || data.value === undefined) return data;
  return {
    ...data,
    value: pick(data.value, ref => ref !== undefined && inScope.has(ref)),
  };
}

/** The security lead's view: adoption across teams, what moved, who holds what. */
export function AdoptionDashboard() {
  const { groupBy, setGroupBy, filters, setFilters } = useDashboardView();
  const data = useDashboardData(groupBy, filters);
  const { summary } = data;
  const inScope = data.inScope.value;
  const filtersBar = (
    <ScopeFilters
      filters={filters}
      onFilters={setFilters}
      owners={data.owners.value}
      systems={data.systems.value}
      lifecycles={data.lifecycles.value}
    />
  );

  if (summary.value === undefined) {
    return summary.error ? (
      <BackendError data={summary} what="the adoption summary" />
    ) : (
      <Progress />
    );
  }
  const s = summary.value;
  if (s.overall.services === 0) {
    const scoped = Boolean(
      filters.owner || filters.system || filters.lifecycle,
    );
    return (
      <>
        {filtersBar}
        <EmptyState
          missing="data"
          title={scoped ? 'No service in this view' : 'No posture yet'}
          description={
            scoped
              ? 'No evaluated service matches these filters. Clear them to see the whole organisation.'
              : 'No catalog entity with a backstage.io/kubernetes-id or kubernetes-label-selector annotation has been evaluated. Annotate services and configure securityGuardrails.clusters.'
          }
        />
      </>
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
        {filtersBar}
      </Grid>
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
        />
      </Grid>
      <Grid item xs={12} md={6}>
        <GrantsCard
          grants={narrowed(data.grants, inScope, (v, keep) =>
            v.filter(g => keep(g.entityRef)),
          )}
        />
      </Grid>
      <Grid item xs={12} md={6}>
        <StandingAccessCard
          standingAccess={narrowed(data.standingAccess, inScope, (v, keep) => {
            const items = v.items.filter(i => keep(i.entityRef));
            return { items, total: items.length };
          })}
        />
      </Grid>
      <Grid item xs={12} md={6}>
        <ExemptionsCard
          exemptions={narrowed(data.exemptions, inScope, (v, keep) => ({
            ...v,
            items: v.items.filter(e => keep(e.entityRef)),
          }))}
        />
      </Grid>
      <Grid item xs={12}>
        <PassRateTable
          summary={s}
          onShowFailing={check => {
            setFilters({ ...filters, check });
            document
              .getElementById('sg-services')
              ?.scrollIntoView?.({ block: 'start' });
          }}
        />
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
