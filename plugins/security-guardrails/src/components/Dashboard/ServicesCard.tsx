import {
  Box,
  Button,
  Chip,
  FormControl,
  InputLabel,
  MenuItem,
  Select,
  Typography,
} from '@material-ui/core';
import {
  EmptyState,
  InfoCard,
  Table,
  TableColumn,
} from '@backstage/core-components';
import {
  Domain,
  DOMAIN_TITLES,
  DOMAINS,
  PostureListItem,
  PostureListResponse,
} from '@internal/backstage-plugin-security-guardrails-common';
import { EntityLink } from '../access/RequestSummary';
import { GradeBadge } from '../common/Badges';
import { downloadCsv } from '../common/csv';
import { relativeTime } from '../common/time';
import { DashboardFilters } from '../../hooks/useDashboardData';
import { BackendData } from '../../hooks/useBackendData';
import { BackendError } from '../common/BackendError';
import { useCheckCatalogue } from '../../hooks/useCheckCatalogue';

/** Every service in the dashboard's scope, filtered by domain and grade, with a CSV export. */
export function ServicesCard(props: {
  filters: DashboardFilters;
  onFilters: (filters: DashboardFilters) => void;
  services: BackendData<PostureListResponse>;
}) {
  const { services } = props;
  const { domain, grade } = props.filters;
  const checks = useCheckCatalogue();
  /** One filter changed, the others kept. */
  const set =
    <K extends keyof DashboardFilters>(key: K) =>
    (value: DashboardFilters[K]) =>
      props.onFilters({ ...props.filters, [key]: value });
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
    {
      title: 'Owner',
      field: 'owner',
      render: p => (p.owner ? <EntityLink entityRef={p.owner} /> : ''),
    },
    { title: 'Critical checks', field: 'criticalFailures', type: 'numeric' },
    { title: 'Failing checks', render: p => p.failingChecks.length },
    {
      title: 'Evaluated',
      render: p => `${relativeTime(p.evaluatedAt)}${p.stale ? ' (stale)' : ''}`,
    },
  ];
  return (
    <div id="sg-services">
      <InfoCard title="Services">
        <Box display="flex" flexWrap="wrap" style={{ gap: 16 }} mb={2}>
          <FormControl style={{ minWidth: 200 }}>
            <InputLabel id="sg-domain">Domain</InputLabel>
            <Select
              labelId="sg-domain"
              value={domain}
              onChange={e => set('domain')(e.target.value as Domain | '')}
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
              onChange={e => set('grade')(String(e.target.value))}
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
        {props.filters.check && (
          <Box mb={1}>
            <Chip
              color="primary"
              label={`Failing ${
                checks.value?.get(props.filters.check)?.title ??
                props.filters.check
              } (${props.filters.check})`}
              onDelete={() => props.onFilters({ ...props.filters, check: '' })}
              aria-label={`Showing services failing ${props.filters.check}; remove this filter`}
            />
          </Box>
        )}
        {domain && !grade && (
          <Typography variant="caption" color="textSecondary" component="p">
            Showing services with a failing check in{' '}
            {DOMAIN_TITLES[domain as keyof typeof DOMAIN_TITLES]}; pick a grade
            to filter on that domain's grade.
          </Typography>
        )}
        <BackendError data={services} what="the services" />
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
    </div>
  );
}
