import { Typography } from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { EntityPosture } from '@internal/backstage-plugin-security-guardrails-common';
import { relativeTime } from './time';

/** When the data behind a posture was read, and whether a cluster was unreachable. */
export function Freshness(props: { posture: EntityPosture }) {
  const { posture } = props;
  const clusters = posture.clusters.length
    ? posture.clusters
        .map(
          c =>
            `${c.cluster} (read ${relativeTime(c.readAt)}${
              c.status !== 'ok' ? `, ${c.status}` : ''
            })`,
        )
        .join(', ')
    : 'no cluster';
  return (
    <>
      {posture.stale && (
        <Alert severity="warning" style={{ marginBottom: 8 }}>
          A cluster behind this posture could not be read at the last refresh;
          these are its last known results.
        </Alert>
      )}
      <Typography variant="caption" color="textSecondary" component="p">
        Evaluated {relativeTime(posture.evaluatedAt)} from {clusters}.
      </Typography>
      {posture.clusters.flatMap(c =>
        (c.notices ?? []).map(n => (
          <Typography
            key={`${c.cluster}|${n}`}
            variant="caption"
            color="textSecondary"
            component="p"
          >
            {c.cluster}: {n}
          </Typography>
        )),
      )}
    </>
  );
}
