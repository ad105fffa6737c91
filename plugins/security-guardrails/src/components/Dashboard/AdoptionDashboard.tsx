import { useState } from 'react';
import {
  Box,
  Button,
  FormControl,
  Grid,
  InputLabel,
  List,
  ListItem,
  ListItemText,
  MenuItem,
  Select,
  TextField,
  Typography,
} from '@material-ui/core';
import {
  EmptyState,
  InfoCard,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
  TrendLine,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import useAsync from 'react-use/esm/useAsync';
import {
  AccessRequest,
  CheckPassRate,
  Domain,
  DOMAIN_TITLES,
  DOMAINS,
  Grade,
  PostureListItem,
  PostureSummary,
  ScoreMover,
  SummaryGroup,
  SummaryGroupBy,
} from '@internal/backstage-plugin-security-guardrails-common';
import { securityGuardrailsApiRef } from '../../api';
import { EntityLink } from '../access/RequestSummary';
import { GradeBadge } from '../common/Badges';
import { downloadCsv } from '../common/csv';
import { relativeTime } from '../common/time';
import { useCheckCatalogue } from '../common/useCheckCatalogue';

const GRADES: Array<Grade | 'none'> = ['A', 'B', 'C', 'D', 'F', 'none'];
const GRADE_COLORS: Record<string, string> = {
  A: '#2e7d32',
  B: '#558b2f',
  C: '#f9a825',
  D: '#ef6c00',
  F: '#c62828',
  none: '#9e9e9e',
};

function signed(n: number | null): string {
  if (n === null) return '–';
  return n > 0 ? `+${n}` : String(n);
}

function percent(n: number | null): string {
  return n === null ? '–' : `${Math.round(n * 100)}%`;
}

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

/** Counts per grade as bars, with the numbers written out. */
export function GradeDistribution(props: { grades: SummaryGroup['grades'] }) {
  const total = GRADES.reduce((s, g) => s + props.grades[g], 0) || 1;
  return (
    <Box role="list" aria-label="Services per grade">
      {GRADES.map(g => (
        <Box
          key={g}
          display="flex"
          alignItems="center"
          style={{ gap: 8 }}
          mb={0.5}
          role="listitem"
        >
          <Box width={40}>
            {g === 'none' ? (
              <Typography variant="caption">no data</Typography>
            ) : (
              <GradeBadge grade={g} />
            )}
          </Box>
          <Box flex={1} bgcolor="action.hover" height={18} borderRadius={4}>
            <Box
              height={18}
              borderRadius={4}
              width={`${(props.grades[g] / total) * 100}%`}
              style={{ backgroundColor: GRADE_COLORS[g] }}
            />
          </Box>
          <Typography variant="body2" style={{ width: 90 }}>
            {props.grades[g]} service{props.grades[g] === 1 ? '' : 's'}
          </Typography>
        </Box>
      ))}
    </Box>
  );
}

function Movers(props: { title: string; movers: ScoreMover[] }) {
  return (
    <Box>
      <Typography variant="subtitle2">{props.title}</Typography>
      {props.movers.length === 0 ? (
        <Typography variant="body2" color="textSecondary">
          No change.
        </Typography>
      ) : (
        <List dense disablePadding>
          {props.movers.map(m => (
            <ListItem key={m.entityRef} disableGutters>
              <ListItemText
                primary={<EntityLink entityRef={m.entityRef} />}
                secondary={`${m.from} → ${m.to} (${signed(m.delta)})`}
              />
            </ListItem>
          ))}
        </List>
      )}
    </Box>
  );
}

function groupCsv(summary: PostureSummary) {
  downloadCsv(`security-posture-by-${summary.groupBy}.csv`, [
    [
      summary.groupBy,
      'services',
      'averageScore',
      'A',
      'B',
      'C',
      'D',
      'F',
      'noData',
      'shareBOrBetter',
      'criticalFailures',
      'servicesWithCriticalFailures',
      'change7d',
      'change30d',
    ],
    ...summary.groups.map(g => [
      g.key,
      g.services,
      g.averageScore,
      g.grades.A,
      g.grades.B,
      g.grades.C,
      g.grades.D,
      g.grades.F,
      g.grades.none,
      g.shareBOrBetter,
      g.criticalFailures,
      g.servicesWithCriticalFailures,
      g.change7d,
      g.change30d,
    ]),
  ]);
}

/** The security lead's view: adoption across teams, what moved, who holds what. */
export function AdoptionDashboard() {
  const api = useApi(securityGuardrailsApiRef);
  const checks = useCheckCatalogue();
  const [groupBy, setGroupBy] = useState<SummaryGroupBy>('owner');
  const [owner, setOwner] = useState('');
  const [system, setSystem] = useState('');
  const [domain, setDomain] = useState<Domain | ''>('');
  const [grade, setGrade] = useState('');

  const summary = useAsync(() => api.getSummary(groupBy), [api, groupBy]);
  const trend = useAsync(() => api.getTrend(30), [api]);
  const services = useAsync(
    () =>
      api.listPostures({
        owner: owner ? [owner] : undefined,
        system: system ? [system] : undefined,
        domain: domain || undefined,
        grade: grade ? [grade] : undefined,
        limit: 500,
      }),
    [api, owner, system, domain, grade],
  );
  const standingAccess = useAsync(() => api.getStandingAccess(), [api]);
  const grants = useAsync(() => api.listGrants(), [api]);
  const exemptions = useAsync(
    () =>
      api.listRequests('exemption', {
        view: 'all',
        state: ['active'],
        limit: 200,
      }),
    [api],
  );
  const owners = useAsync(() => api.getSummary('owner'), [api]);
  const systems = useAsync(() => api.getSummary('system'), [api]);

  if (summary.loading && !summary.value) return <Progress />;
  if (summary.error) return <ResponseErrorPanel error={summary.error} />;
  const s = summary.value!;
  if (s.overall.services === 0) {
    return (
      <EmptyState
        missing="data"
        title="No posture yet"
        description="No catalog entity with a backstage.io/kubernetes-id or kubernetes-label-selector annotation has been evaluated. Annotate services and configure securityGuardrails.clusters."
      />
    );
  }

  const groupColumns: TableColumn<SummaryGroup>[] = [
    {
      title:
        groupBy === 'domain'
          ? 'Domain'
          : groupBy[0].toUpperCase() + groupBy.slice(1),
      field: 'key',
      render: g =>
        groupBy === 'domain'
          ? DOMAIN_TITLES[g.key as keyof typeof DOMAIN_TITLES]
          : g.key,
    },
    { title: 'Services', field: 'services', type: 'numeric' },
    { title: 'Average score', field: 'averageScore', type: 'numeric' },
    {
      title: 'Grades',
      render: g =>
        GRADES.filter(x => g.grades[x])
          .map(x => `${g.grades[x]} ${x}`)
          .join(', '),
    },
    { title: 'B or better', render: g => percent(g.shareBOrBetter) },
    {
      title: 'Critical failing checks',
      field: 'criticalFailures',
      type: 'numeric',
    },
    { title: '7 days', render: g => signed(g.change7d) },
    { title: '30 days', render: g => signed(g.change30d) },
  ];
  const serviceColumns: TableColumn<PostureListItem>[] = [
    {
      title: 'Grade',
      field: 'grade',
      render: p => <GradeBadge grade={p.grade} />,
    },
    {
      title: 'Service',
      field: 'entityRef',
      render: p => <EntityLink entityRef={p.entityRef} />,
    },
    { title: 'Score', field: 'score', type: 'numeric' },
    { title: 'Owner', field: 'owner' },
    { title: 'Critical checks', field: 'criticalFailures', type: 'numeric' },
    { title: 'Failing checks', render: p => p.failingChecks.length },
    {
      title: 'Evaluated',
      render: p => `${relativeTime(p.evaluatedAt)}${p.stale ? ' (stale)' : ''}`,
    },
  ];
  const passColumns: TableColumn<CheckPassRate>[] = [
    {
      title: 'Check',
      field: 'checkId',
      render: c =>
        `${checks.value?.get(c.checkId)?.title ?? c.checkId} (${c.checkId})`,
    },
    { title: 'Domain', field: 'domain', render: c => DOMAIN_TITLES[c.domain] },
    { title: 'Pass rate', field: 'rate', render: c => percent(c.rate) },
    { title: 'Pass', field: 'pass', type: 'numeric' },
    { title: 'Fail', field: 'fail', type: 'numeric' },
    { title: 'Warn', field: 'warn', type: 'numeric' },
  ];
  const standing = standingAccess.value?.items ?? [];
  const soon = [...(exemptions.value?.items ?? [])].sort((a, b) =>
    (a.expiresAt ?? '').localeCompare(b.expiresAt ?? ''),
  );
  const points =
    trend.value?.points.filter(p => p.shareBOrBetter !== null) ?? [];

  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <InfoCard title="Adoption">
          <Grid container>
            <Grid item xs={6} md={2}>
              <Kpi label="services" value={String(s.overall.services)} />
            </Grid>
            <Grid item xs={6} md={2}>
              <Kpi
                label="average score"
                value={String(s.overall.averageScore ?? '–')}
                hint={`7 days: ${signed(
                  s.overall.change7d,
                )} · 30 days: ${signed(s.overall.change30d)}`}
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
                <TrendLine
                  data={points.map(p => (p.shareBOrBetter ?? 0) * 100)}
                  title="Share of services at B or better"
                  max={100}
                />
              ) : (
                <Typography variant="body2" color="textSecondary">
                  The trend appears as days of history accumulate.
                </Typography>
              )}
              <Typography variant="caption" color="textSecondary">
                {points.length
                  ? `${percent(points[0].shareBOrBetter)} on ${
                      points[0].date
                    } → ${percent(
                      points[points.length - 1].shareBOrBetter,
                    )} today`
                  : ''}
              </Typography>
            </Grid>
          </Grid>
        </InfoCard>
      </Grid>
      <Grid item xs={12} md={4}>
        <InfoCard title="Grade distribution">
          <GradeDistribution grades={s.overall.grades} />
        </InfoCard>
      </Grid>
      <Grid item xs={12} md={8}>
        <InfoCard title="What moved">
          <Grid container spacing={2}>
            <Grid item xs={6} md={3}>
              <Movers title="Improved, 7 days" movers={s.mostImproved.days7} />
            </Grid>
            <Grid item xs={6} md={3}>
              <Movers
                title="Regressed, 7 days"
                movers={s.mostRegressed.days7}
              />
            </Grid>
            <Grid item xs={6} md={3}>
              <Movers
                title="Improved, 30 days"
                movers={s.mostImproved.days30}
              />
            </Grid>
            <Grid item xs={6} md={3}>
              <Movers
                title="Regressed, 30 days"
                movers={s.mostRegressed.days30}
              />
            </Grid>
          </Grid>
        </InfoCard>
      </Grid>
      <Grid item xs={12}>
        <Table<SummaryGroup>
          title={
            <Box display="flex" alignItems="center" style={{ gap: 16 }}>
              <Typography variant="h6" component="span">
                Posture by
              </Typography>
              <FormControl size="small">
                <Select
                  value={groupBy}
                  onChange={e => setGroupBy(e.target.value as SummaryGroupBy)}
                  inputProps={{ 'aria-label': 'Group by' }}
                >
                  <MenuItem value="owner">owning group</MenuItem>
                  <MenuItem value="system">system</MenuItem>
                  <MenuItem value="domain">domain</MenuItem>
                  <MenuItem value="namespace">namespace</MenuItem>
                </Select>
              </FormControl>
              <Button
                size="small"
                variant="outlined"
                onClick={() => groupCsv(s)}
              >
                Export CSV
              </Button>
            </Box>
          }
          options={{ paging: false, search: false, padding: 'dense' }}
          columns={groupColumns}
          data={s.groups}
        />
      </Grid>
      <Grid item xs={12}>
        <InfoCard title="Services">
          <Box display="flex" flexWrap="wrap" style={{ gap: 16 }} mb={2}>
            <TextField
              select
              id="sg-filter-owner"
              label="Owner"
              value={owner}
              onChange={e => setOwner(e.target.value)}
              style={{ minWidth: 220 }}
            >
              <MenuItem value="">All owners</MenuItem>
              {(owners.value?.groups ?? [])
                .filter(
                  g => g.key.startsWith('group:') || g.key.startsWith('user:'),
                )
                .map(g => (
                  <MenuItem key={g.key} value={g.key}>
                    {g.key}
                  </MenuItem>
                ))}
            </TextField>
            <TextField
              select
              id="sg-filter-system"
              label="System"
              value={system}
              onChange={e => setSystem(e.target.value)}
              style={{ minWidth: 200 }}
            >
              <MenuItem value="">All systems</MenuItem>
              {(systems.value?.groups ?? [])
                .filter(g => g.key.startsWith('system:'))
                .map(g => (
                  <MenuItem key={g.key} value={g.key}>
                    {g.key}
                  </MenuItem>
                ))}
            </TextField>
            <FormControl style={{ minWidth: 200 }}>
              <InputLabel id="sg-domain">Domain</InputLabel>
              <Select
                labelId="sg-domain"
                value={domain}
                onChange={e => setDomain(e.target.value as Domain | '')}
              >
                <MenuItem value="">Overall</MenuItem>
                {DOMAINS.map(d => (
                  <MenuItem key={d} value={d}>
                    {DOMAIN_TITLES[d]}
                  </MenuItem>
                ))}
              </Select>
            </FormControl>
            <FormControl style={{ minWidth: 120 }}>
              <InputLabel id="sg-grade">Grade</InputLabel>
              <Select
                labelId="sg-grade"
                value={grade}
                onChange={e => setGrade(String(e.target.value))}
              >
                <MenuItem value="">Any</MenuItem>
                {['A', 'B', 'C', 'D', 'F'].map(g => (
                  <MenuItem key={g} value={g}>
                    {g}
                  </MenuItem>
                ))}
              </Select>
            </FormControl>
            <Button
              variant="outlined"
              disabled={!services.value?.items.length}
              onClick={() =>
                downloadCsv('security-posture-services.csv', [
                  [
                    'entityRef',
                    'owner',
                    'system',
                    'score',
                    'grade',
                    ...DOMAINS.map(d => `grade_${d}`),
                    'criticalFailures',
                    'failingChecks',
                    'evaluatedAt',
                    'stale',
                  ],
                  ...(services.value?.items ?? []).map(p => [
                    p.entityRef,
                    p.owner ?? '',
                    p.system ?? '',
                    p.score,
                    p.grade ?? '',
                    ...DOMAINS.map(d => p.domains[d]?.grade ?? ''),
                    p.criticalFailures,
                    p.failingChecks.join(' '),
                    p.evaluatedAt,
                    String(p.stale),
                  ]),
                ])
              }
            >
              Export CSV
            </Button>
          </Box>
          {domain && !grade && (
            <Typography variant="caption" color="textSecondary" component="p">
              Showing services with a failing check in{' '}
              {DOMAIN_TITLES[domain as keyof typeof DOMAIN_TITLES]}; pick a
              grade to filter on that domain's grade.
            </Typography>
          )}
          {services.error && <ResponseErrorPanel error={services.error} />}
          <Table<PostureListItem>
            options={{
              paging: true,
              pageSize: 10,
              search: false,
              padding: 'dense',
              toolbar: false,
            }}
            columns={serviceColumns}
            data={services.value?.items ?? []}
            isLoading={services.loading}
            emptyContent={
              <EmptyState
                missing="data"
                title="No service matches these filters"
              />
            }
          />
        </InfoCard>
      </Grid>
      <Grid item xs={12} md={6}>
        <InfoCard title="Active temporary grants">
          {grants.error && <ResponseErrorPanel error={grants.error} />}
          {!grants.loading && (grants.value ?? []).length === 0 && (
            <Typography variant="body2">
              No one holds temporary access right now.
            </Typography>
          )}
          <List dense>
            {(grants.value ?? []).map((g: AccessRequest) => (
              <ListItem key={g.id} disableGutters>
                <ListItemText
                  primary={`${g.requester}: ${g.role} in ${g.cluster}/${(
                    g.namespaces ?? []
                  ).join(',')}`}
                  secondary={
                    <>
                      <EntityLink entityRef={g.entityRef} /> ·{' '}
                      {g.state === 'active'
                        ? `until ${g.expiresAt} (${relativeTime(g.expiresAt)})`
                        : g.state}
                    </>
                  }
                />
              </ListItem>
            ))}
          </List>
        </InfoCard>
      </Grid>
      <Grid item xs={12} md={6}>
        <InfoCard title="Standing privileges and expired bindings">
          {standingAccess.error && (
            <ResponseErrorPanel error={standingAccess.error} />
          )}
          {!standingAccess.error && standing.length === 0 && (
            <Typography variant="body2">
              {standingAccess.loading
                ? 'Loading…'
                : 'No person holds a powerful role without an expiry, and no binding outlived its expiry.'}
            </Typography>
          )}
          {standing.length > 0 && (
            <List dense aria-label="Standing privileges and expired bindings">
              {standing.map(({ entityRef, result: r }) => (
                <ListItem
                  key={`${r.checkId}|${r.resource.cluster}|${r.resource.namespace}|${r.resource.name}`}
                  disableGutters
                >
                  <ListItemText
                    primary={`${r.resource.kind}/${
                      r.resource.namespace ? `${r.resource.namespace}/` : ''
                    }${r.resource.name} (${r.resource.cluster})`}
                    secondary={
                      <>
                        {entityRef ? (
                          <EntityLink entityRef={entityRef} />
                        ) : (
                          'unowned'
                        )}{' '}
                        · {r.checkId}: {r.message}
                      </>
                    }
                  />
                </ListItem>
              ))}
            </List>
          )}
          {standingAccess.value &&
            standingAccess.value.total > standing.length && (
              <Typography variant="caption" color="textSecondary">
                Showing {standing.length} of {standingAccess.value.total}.
              </Typography>
            )}
        </InfoCard>
      </Grid>
      <Grid item xs={12} md={6}>
        <InfoCard title="Exemptions, soonest to expire first">
          {soon.length === 0 ? (
            <Typography variant="body2">No active exemption.</Typography>
          ) : (
            <List dense>
              {soon.map(e => (
                <ListItem key={e.id} disableGutters>
                  <ListItemText
                    primary={
                      <>
                        {e.checkId} on <EntityLink entityRef={e.entityRef} />
                      </>
                    }
                    secondary={`expires ${relativeTime(
                      e.expiresAt,
                    )} (${e.expiresAt?.slice(0, 10)}) · ${e.justification}`}
                  />
                </ListItem>
              ))}
            </List>
          )}
        </InfoCard>
      </Grid>
      <Grid item xs={12} md={6}>
        <Table<CheckPassRate>
          title="Pass rate per check (worst first)"
          options={{
            paging: true,
            pageSize: 10,
            search: false,
            padding: 'dense',
          }}
          columns={passColumns}
          data={s.passRateByCheck}
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
