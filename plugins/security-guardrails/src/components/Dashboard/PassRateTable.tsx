import { Button } from '@material-ui/core';
import { Table, TableColumn } from '@backstage/core-components';
import {
  CheckPassRate,
  DOMAIN_TITLES,
  PostureSummary,
} from '@internal/backstage-plugin-security-guardrails-common';
import { useCheckCatalogue } from '../../hooks/useCheckCatalogue';
import { percent } from './format';

/** The pass rate of every check across the services in view, worst first; a row leads to the services failing it. */
export function PassRateTable(props: {
  summary: PostureSummary;
  onShowFailing: (checkId: string) => void;
}) {
  const s = props.summary;
  const checks = useCheckCatalogue();
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
    { title: 'Exempt', field: 'exempt', type: 'numeric' },
    { title: 'Not applicable', field: 'notApplicable', type: 'numeric' },
    {
      title: '',
      render: c =>
        c.fail + c.warn > 0 ? (
          <Button
            size="small"
            color="primary"
            onClick={() => props.onShowFailing(c.checkId)}
            aria-label={`Services failing ${c.checkId}`}
          >
            Services failing it
          </Button>
        ) : null,
    },
  ];
  return (
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
  );
}
