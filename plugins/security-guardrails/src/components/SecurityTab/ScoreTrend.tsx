/** The service's score over the last 30 days, with what changed. */
import { Box, Typography } from '@material-ui/core';
import { Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { securityGuardrailsApiRef } from '../../api';
import { useBackendData } from '../../hooks/useBackendData';
import { BackendError } from '../common/BackendError';
import { shortDate, TrendChart } from '../common/TrendChart';

export function ScoreTrend(props: { entityRef: string }) {
  const api = useApi(securityGuardrailsApiRef);
  const history = useBackendData(
    () => api.getPostureHistory(props.entityRef),
    [api, props.entityRef],
  );
  if (history.value === undefined) {
    return history.error ? (
      <BackendError data={history} what="the score history" />
    ) : (
      <Progress />
    );
  }
  const points = (history.value?.scores ?? []).filter(p => p.score !== null);
  if (points.length === 0) {
    return <Typography variant="body2">No score history yet.</Typography>;
  }
  const first = points[0];
  const last = points[points.length - 1];
  const changes = history.value?.checks ?? [];
  const fixed = changes.filter(
    c => c.from === 'fail' && c.to === 'pass',
  ).length;
  const broke = changes.filter(c => c.to === 'fail').length;
  return (
    <Box>
      <TrendChart
        // Each point is a change; the score holds until the next, up to now.
        points={[
          ...points.map(p => ({ date: p.at, value: p.score as number })),
          { date: new Date().toISOString(), value: last.score as number },
        ]}
        max={100}
        step
        title="Score over the last 30 days"
      />
      <Typography variant="body2">
        {first.score} ({first.grade}) on {shortDate(first.at)} → {last.score} (
        {last.grade}) on {shortDate(last.at)}
      </Typography>
      <Typography variant="caption" color="textSecondary">
        {points.length} score change{points.length === 1 ? '' : 's'}; {fixed}{' '}
        check result{fixed === 1 ? '' : 's'} fixed, {broke} started failing in
        this period.
      </Typography>
    </Box>
  );
}
