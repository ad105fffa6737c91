import {
  Box,
  Button,
  FormControl,
  MenuItem,
  Select,
  Typography,
} from '@material-ui/core';
import { Table, TableColumn } from '@backstage/core-components';
import {
  DOMAIN_TITLES,
  PostureSummary,
  SummaryGroup,
  SummaryGroupBy,
} from '@internal/backstage-plugin-security-guardrails-common';
import { downloadCsv } from '../common/csv';
import { EntityLink } from '../access/RequestSummary';
import { GRADES, percent, signed } from './format';

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

/** The rollup per owner, system, domain or namespace, with a CSV export. */
export function GroupTable(props: {
  summary: PostureSummary;
  groupBy: SummaryGroupBy;
  onGroupBy: (groupBy: SummaryGroupBy) => void;
}) {
  const { groupBy, onGroupBy } = props;
  const s = props.summary;
  const groupColumns: TableColumn<SummaryGroup>[] = [
    {
      title:
        groupBy === 'domain'
          ? 'Scoring domain'
          : groupBy[0].toUpperCase() + groupBy.slice(1),
      field: 'key',
      render: g => {
        if (groupBy === 'domain') {
          return DOMAIN_TITLES[g.key as keyof typeof DOMAIN_TITLES];
        }
        // Owners and systems are catalog entities: their names, linked.
        return g.key.includes(':') ? <EntityLink entityRef={g.key} /> : g.key;
      },
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
  return (
    <Table<SummaryGroup>
      title={
        <Box display="flex" alignItems="center" style={{ gap: 16 }}>
          <Typography variant="h6" component="span">
            Posture by
          </Typography>
          <FormControl size="small">
            <Select
              value={groupBy}
              onChange={e => onGroupBy(e.target.value as SummaryGroupBy)}
              inputProps={{ 'aria-label': 'Group by' }}
            >
              <MenuItem value="owner">owning group</MenuItem>
              <MenuItem value="system">system</MenuItem>
              <MenuItem value="lifecycle">lifecycle</MenuItem>
              <MenuItem value="domain">scoring domain</MenuItem>
              <MenuItem value="namespace">namespace</MenuItem>
            </Select>
          </FormControl>
          <Button size="small" variant="outlined" onClick={() => groupCsv(s)}>
            Export CSV
          </Button>
        </Box>
      }
      options={{ paging: false, search: false, padding: 'dense' }}
      columns={groupColumns}
      data={s.groups}
    />
  );
}
