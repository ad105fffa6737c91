import { Box, Grid, Typography } from '@material-ui/core';
import { InfoCard } from '@backstage/core-components';
import {
  PostureSummary,
  PostureTrend,
} from '@internal/backstage-plugin-security-guardrails-common';
import { percent, signed } from './format';
import { shortDate, TrendChart } from '../common/TrendChart';

function Kpi(props: { label: string; value: string; hint?: string }) {
  return (
    <Box p={1}>
      <Typography variant="h4" component="p">
        {props.value}
      </Typography>
      <Typography variant="body2">{props.label}</Typography>
      {props.hint && (
        <Typography variant="caption" color="textSecondary">
          {props.hint}
        </Typography>
      )}
    </Box>
  );
}

/** The headline numbers and the share at B or better over 30 days. */
export function AdoptionKpis(props: {
  summary: PostureSummary;
  trend?: PostureTrend;
}) {
  const s = props.summary;
  const points =
    props.trend?.points.filter(p => p.shareBOrBetter !== null) ?? [];
  return (
    <InfoCard title="Adoption">
      <Grid container>
        <Grid item xs={6} md={2}>
          <Kpi label="services" value={String(s.overall.services)} />
        </Grid>
        <Grid item xs={6} md={2}>
          <Kpi
            label="average score"
            value={String(s.overall.averageScore ?? '–')}
            hint={`7 days: ${signed(s.overall.change7d)} · 30 days: ${signed(
              s.overall.change30d,
            )}`}
          />
        </Grid>
        <Grid item xs={6} md={2}>
          <Kpi
            label="graded B or better"
            value={percent(s.overall.shareBOrBetter)}
          />
        </Grid>
        <Grid item xs={6} md={2}>
          <Kpi
            label="critical failing checks"
            value={String(s.overall.criticalFailures)}
            hint={`in ${s.overall.servicesWithCriticalFailures} services`}
          />
        </Grid>
        <Grid item xs={12} md={4}>
          <Typography variant="subtitle2">
            Share at B or better, last 30 days
          </Typography>
          {points.length > 1 ? (
            <TrendChart
              points={points.map(p => ({
                date: p.date,
                value: (p.shareBOrBetter ?? 0) * 100,
              }))}
              max={100}
              unit="%"
              title="Share of services at B or better"
            />
          ) : (
            <Typography variant="body2" color="textSecondary">
              The trend appears as days of history accumulate.
            </Typography>
          )}
          <Typography variant="caption" color="textSecondary">
            {points.length
              ? `${percent(points[0].shareBOrBetter)} on ${shortDate(
                  points[0].date,
                )} → ${percent(points[points.length - 1].shareBOrBetter)} today`
              : ''}
          </Typography>
        </Grid>
      </Grid>
    </InfoCard>
  );
}
