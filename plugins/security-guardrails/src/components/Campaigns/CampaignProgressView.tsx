/*
 * One campaign in full: why, what, where, how far along by team, and what
 * each remaining service lacks, each check linked to its remediation.
 */
import {
  Box,
  Chip,
  LinearProgress,
  List,
  ListItem,
  ListItemText,
  Typography,
} from '@material-ui/core';
import { Link, MarkdownContent } from '@backstage/core-components';
import { useRouteRef } from '@backstage/core-plugin-api';
import {
  Campaign,
  CampaignProgress,
  DOMAIN_TITLES,
} from '@internal/backstage-plugin-security-guardrails-common';
import { checksRouteRef } from '../../routes';
import { EntityLink } from '../access/RequestSummary';
import { GradeBadge } from '../common/Badges';
import { downloadCsv } from '../common/csv';
import { useCheckCatalogue } from '../../hooks/useCheckCatalogue';

/** "12 of 40 done" as a bar. */
export function DoneBar(props: {
  done: number;
  services: number;
  label: string;
}) {
  const share = props.services ? (props.done / props.services) * 100 : 0;
  return (
    <Box>
      <LinearProgress
        variant="determinate"
        value={share}
        aria-label={props.label}
      />
      <Typography variant="caption" color="textSecondary">
        {props.done} of {props.services} service
        {props.services === 1 ? '' : 's'} done ({Math.round(share)} %)
      </Typography>
    </Box>
  );
}

/**
 * "draft", "active", "active, missed its deadline" (kept running until every
 * service meets it), "ended (met)", "ended (missed)".
 */
export function campaignStateText(c: Campaign): string {
  if (c.state === 'active' && c.outcome === 'missed') {
    return 'active, missed its deadline';
  }
  return `${c.state}${c.outcome ? ` (${c.outcome})` : ''}`;
}

/** "24 days left", "due today", "3 days overdue". */
export function daysLeftText(days: number): string {
  if (days > 1) return `${days} days left`;
  if (days === 1) return '1 day left';
  if (days === 0) return 'less than a day left';
  return `${-days} day${days === -1 ? '' : 's'} overdue`;
}

export function progressCsv(p: CampaignProgress) {
  downloadCsv(`campaign-${p.campaign.id}.csv`, [
    ['entityRef', 'owner', 'grade', 'done', 'failingChecks', 'belowGrade'],
    ...p.remaining.map(r => [
      r.entityRef,
      r.owner ?? '',
      r.grade ?? '',
      String(r.done),
      r.failingChecks.join(' '),
      String(r.belowGrade),
    ]),
  ]);
}

export function CampaignProgressView(props: { progress: CampaignProgress }) {
  const p = props.progress;
  const c = p.campaign;
  const checks = useCheckCatalogue();
  const checksPage = useRouteRef(checksRouteRef);
  const checkLink = (id: string) =>
    `${checksPage()}?check=${encodeURIComponent(id)}`;
  const scope = [
    ...c.scope.lifecycles.map(l => `lifecycle ${l}`),
    ...c.scope.systems,
    ...c.scope.owners,
    ...c.scope.tags.map(t => `tag ${t}`),
    ...c.scope.namespaces.map(n => `namespace ${n}`),
    ...c.scope.clusters.map(x => `cluster ${x}`),
  ];
  return (
    <Box data-testid="campaign-progress">
      {c.description && (
        <MarkdownContent content={c.description} dialect="gfm" />
      )}
      <Typography variant="subtitle2">Target</Typography>
      <Box display="flex" flexWrap="wrap" style={{ gap: 8 }} mb={1}>
        {c.target.checkIds.map(id => (
          <Chip
            key={id}
            size="small"
            clickable
            component="a"
            href={checkLink(id)}
            label={checks.value?.get(id)?.title ?? id}
          />
        ))}
        {c.target.minGrade && (
          <Chip
            size="small"
            label={`grade ${c.target.minGrade} or better${
              c.target.domain ? ` in ${DOMAIN_TITLES[c.target.domain]}` : ''
            }`}
          />
        )}
      </Box>
      <Typography variant="body2" color="textSecondary" paragraph>
        Applies to {scope.length ? scope.join(', ') : 'every service'}.
      </Typography>
      <DoneBar
        done={p.done}
        services={p.services}
        label={`${c.name} progress`}
      />
      <Typography variant="subtitle2" style={{ marginTop: 16 }}>
        By team
      </Typography>
      <List dense aria-label="Progress by team">
        {p.byOwner.map(o => (
          <ListItem key={o.owner} disableGutters>
            <ListItemText
              primary={
                o.owner.startsWith('(') ? (
                  o.owner
                ) : (
                  <EntityLink entityRef={o.owner} />
                )
              }
              secondary={`${o.done} of ${o.services} done`}
            />
          </ListItem>
        ))}
      </List>
      {p.exemptions.length > 0 && (
        <>
          <Typography variant="subtitle2">
            Exemptions granted against it ({p.exemptions.length})
          </Typography>
          <List dense aria-label="Exemptions granted against it">
            {p.exemptions.map(e => (
              <ListItem key={e.requestId} disableGutters>
                <ListItemText
                  primary={
                    <>
                      {checks.value?.get(e.checkId)?.title ?? e.checkId} on{' '}
                      <EntityLink entityRef={e.entityRef} />
                    </>
                  }
                  secondary={`${e.state}${
                    e.expiresAt ? ` until ${e.expiresAt.slice(0, 10)}` : ''
                  } · requested by ${e.requester}`}
                />
              </ListItem>
            ))}
          </List>
        </>
      )}
      <Typography variant="subtitle2">
        Still to do ({p.services - p.done})
      </Typography>
      {p.remaining.length === 0 ? (
        <Typography variant="body2">
          Every service in scope meets it.
        </Typography>
      ) : (
        <List dense aria-label="Services still to do">
          {p.remaining.map(r => (
            <ListItem key={r.entityRef} disableGutters divider>
              <Box mr={1}>
                <GradeBadge grade={r.grade} />
              </Box>
              <ListItemText
                primary={<EntityLink entityRef={r.entityRef} />}
                secondary={
                  <>
                    {r.owner && (
                      <>
                        <EntityLink entityRef={r.owner} /> ·{' '}
                      </>
                    )}
                    {r.failingChecks.map((id, i) => (
                      <span key={id}>
                        {i > 0 && ', '}
                        <Link to={checkLink(id)}>
                          {checks.value?.get(id)?.title ?? id}
                        </Link>
                      </span>
                    ))}
                    {r.belowGrade &&
                      `${r.failingChecks.length ? '; ' : ''}below grade ${
                        c.target.minGrade
                      }`}
                  </>
                }
              />
            </ListItem>
          ))}
        </List>
      )}
      {p.remaining.length < p.services - p.done && (
        <Typography variant="caption" color="textSecondary">
          The {p.remaining.length} with the most to do of {p.services - p.done};
          each team's count is above.
        </Typography>
      )}
    </Box>
  );
}
