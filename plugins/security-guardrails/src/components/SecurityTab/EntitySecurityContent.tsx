import { useEffect, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import {
  Box,
  Button,
  FormControlLabel,
  Grid,
  Switch,
  Typography,
} from '@material-ui/core';
import {
  EmptyState,
  InfoCard,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  CheckDescription,
  DOMAIN_TITLES,
  DOMAINS,
  failureCounts,
  failureLabel,
  PostureResult,
} from '@internal/backstage-plugin-security-guardrails-common';
import { RequestAccessButton } from '../access/RequestAccessDialog';
import { RequestExemptionDialog } from '../access/RequestExemptionDialog';
import { CheckDoc } from '../ChecksPage/ChecksPage';
import { GradeBadge, SeverityChip, StatusChip } from '../common/Badges';
import { isMapped, MissingAnnotation } from '../common/EmptyStates';
import { relativeTime } from '../common/time';
import { BackendError } from '../common/BackendError';
import { useA11yStyles } from '../common/a11y';
import { PostureSkeleton } from '../common/PostureSkeleton';
import { useCheckCatalogue } from '../../hooks/useCheckCatalogue';
import { checkRowId, FOCUS_CHECK_PARAM } from '../../hooks/useSecurityTabLink';
import { usePosture } from '../../hooks/usePosture';
import { useRefreshPosture } from '../../hooks/useRefreshPosture';
import { EvaluateNowButton, RefreshNotice } from '../common/RefreshNotice';
import { PostureSummaryView } from '../PostureCard/EntitySecurityCard';
import { ScoreTrend } from './ScoreTrend';
import { resourceText, resultKey, sortResults } from './resultOrder';

/** How the rows of the check a link named stand out. */
const FOCUSED_ROW = {
  backgroundColor: 'rgba(25, 118, 210, 0.12)',
  outline: '2px solid rgba(25, 118, 210, 0.6)',
};

/** The Security tab of a service: every check by domain, with evidence and remediation. */
export function EntitySecurityContent() {
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const mapped = isMapped(entity);
  const posture = usePosture(entityRef, mapped);
  const checks = useCheckCatalogue();
  const a11y = useA11yStyles();
  const [showAll, setShowAll] = useState(false);
  const [params] = useSearchParams();
  // A check named in the link (from the Security card): its rows shown,
  // marked and scrolled to.
  const focus = params.get(FOCUS_CHECK_PARAM) ?? undefined;
  const [exempting, setExempting] = useState<{
    result: PostureResult;
    check?: CheckDescription;
  }>();

  const { refresh, refreshing, refreshError, refreshWait, canRefresh } =
    useRefreshPosture(entityRef, posture.retry);

  const results = useMemo(
    () =>
      [...(posture.value?.results ?? [])]
        .filter(r => !r.temporaryAccess)
        .sort(sortResults),
    [posture.value],
  );
  // Keyed by content: the table hands render functions copies of the rows.
  const firstOfCheck = useMemo(() => {
    const first = new Map<string, string>();
    for (const r of results) {
      if (!first.has(r.checkId)) first.set(r.checkId, resultKey(r));
    }
    return first;
  }, [results]);
  const loaded = posture.value !== undefined && posture.value !== null;
  useEffect(() => {
    if (!focus || !loaded) return;
    document
      .getElementById(checkRowId(focus))
      ?.scrollIntoView?.({ block: 'center' });
  }, [focus, loaded]);
  const temporary = useMemo(
    () => (posture.value?.results ?? []).filter(r => r.temporaryAccess),
    [posture.value],
  );

  if (!mapped) return <MissingAnnotation entity={entity} />;
  if (posture.value === undefined) {
    return posture.error ? (
      <BackendError data={posture} what="this posture" />
    ) : (
      <InfoCard title="Security posture">
        <PostureSkeleton />
      </InfoCard>
    );
  }
  if (!posture.value) {
    return (
      <>
        <BackendError data={posture} what="this posture" />
        <RefreshNotice wait={refreshWait} error={refreshError} />
        <EmptyState
          missing="data"
          title="Not evaluated yet"
          description={
            posture.waitingReason ??
            'The backend has no posture for this service yet. Evaluate it now.'
          }
          action={
            <EvaluateNowButton
              onClick={refresh}
              disabled={!canRefresh}
              busy={refreshing}
            />
          }
        />
      </>
    );
  }

  const columns: TableColumn<PostureResult>[] = [
    {
      title: 'Status',
      field: 'status',
      width: '110px',
      render: r => <StatusChip status={r.status} />,
    },
    {
      title: 'Severity',
      field: 'severity',
      width: '110px',
      render: r => <SeverityChip severity={r.severity} />,
    },
    {
      title: 'Check',
      field: 'checkId',
      render: r => (
        <>
          <Typography
            variant="body2"
            id={
              firstOfCheck.get(r.checkId) === resultKey(r)
                ? checkRowId(r.checkId)
                : undefined
            }
          >
            {checks.value?.get(r.checkId)?.title ?? r.checkId}
          </Typography>
          <Typography variant="caption" color="textSecondary">
            {r.checkId}
          </Typography>
        </>
      ),
    },
    { title: 'Resource', render: r => resourceText(r) },
    {
      title: 'Evidence',
      render: r => (
        <>
          <Typography variant="body2">{r.message}</Typography>
          {r.field && (
            <Typography
              variant="caption"
              color="textSecondary"
              component="p"
              style={{ wordBreak: 'break-all' }}
            >
              {r.field}
              {r.observed !== undefined ? ` = ${r.observed}` : ''}
            </Typography>
          )}
          {r.exemption && (
            <Typography variant="caption" component="p">
              Exempt until {r.exemption.expiresAt.slice(0, 10)} (
              {r.exemption.source}
              {r.exemption.approvedBy?.length
                ? `, approved by ${r.exemption.approvedBy.join(', ')}`
                : ''}
              ): {r.exemption.reason}
            </Typography>
          )}
        </>
      ),
    },
    {
      title: 'Failing since',
      render: r =>
        r.failingSince ? (
          <span title={r.failingSince}>{relativeTime(r.failingSince)}</span>
        ) : (
          ''
        ),
    },
    {
      title: '',
      // Clicking a row (or this button, whose click reaches the row) opens the
      // remediation in place: material-table's own toggle has no useful name.
      render: r => (
        <Box display="flex" flexDirection="column" alignItems="flex-start">
          <Button size="small" color="primary">
            How to fix it
          </Button>
          {(r.status === 'fail' || r.status === 'warn') && (
            <Button
              size="small"
              onClick={e => {
                e.stopPropagation();
                setExempting({
                  result: r,
                  check: checks.value?.get(r.checkId),
                });
              }}
            >
              Request exemption
            </Button>
          )}
        </Box>
      ),
    },
  ];

  return (
    <Grid container spacing={3} className={a11y.root}>
      <Grid item xs={12} style={{ paddingBottom: 0 }}>
        <a href="#sg-results" className={a11y.skipLink}>
          Skip to the results by domain
        </a>
      </Grid>
      {posture.error && (
        <Grid item xs={12}>
          <BackendError data={posture} what="this posture" />
        </Grid>
      )}
      <Grid item xs={12} md={8}>
        <InfoCard
          title="Security posture"
          action={
            <Box display="flex" style={{ gap: 8 }} m={1}>
              <Button
                variant="outlined"
                onClick={refresh}
                disabled={!canRefresh}
              >
                {refreshing ? 'Refreshing…' : 'Refresh'}
              </Button>
              <RequestAccessButton entityRef={entityRef} />
            </Box>
          }
        >
          <RefreshNotice wait={refreshWait} error={refreshError} />
          <PostureSummaryView posture={posture.value} maxFailures={3} />
        </InfoCard>
      </Grid>
      <Grid item xs={12} md={4}>
        <InfoCard title="Trend">
          <ScoreTrend entityRef={entityRef} />
        </InfoCard>
      </Grid>
      {temporary.length > 0 && (
        <Grid item xs={12}>
          <InfoCard title="Active temporary access">
            <Typography variant="body2" color="textSecondary" paragraph>
              RoleBindings applied through an approved access request. They are
              revoked at expiry and are shown here, not graded.
            </Typography>
            <ul aria-label="Active temporary access">
              {temporary.map(r => (
                <li
                  key={`${r.resource.cluster}/${r.resource.namespace}/${r.resource.name}`}
                >
                  <Typography variant="body2">
                    {r.temporaryAccess!.subjects.join(', ')} holds{' '}
                    <code>{r.temporaryAccess!.clusterRole}</code> in{' '}
                    {r.resource.cluster}/{r.resource.namespace} until{' '}
                    <span title={r.temporaryAccess!.expiresAt}>
                      {new Date(r.temporaryAccess!.expiresAt).toLocaleString()}
                    </span>{' '}
                    (request {r.temporaryAccess!.grantId}, RoleBinding{' '}
                    {r.resource.name})
                  </Typography>
                </li>
              ))}
            </ul>
          </InfoCard>
        </Grid>
      )}
      <Grid item xs={12} id="sg-results" tabIndex={-1}>
        <FormControlLabel
          control={
            <Switch
              checked={showAll}
              onChange={e => setShowAll(e.target.checked)}
              color="primary"
            />
          }
          label="Show passing and not applicable results"
        />
      </Grid>
      {DOMAINS.map(domain => {
        const breakdown = posture.value!.score.domains[domain];
        const inDomain = results.filter(
          r =>
            r.domain === domain &&
            (showAll ||
              r.checkId === focus ||
              ['fail', 'warn', 'exempt'].includes(r.status)),
        );
        return (
          <Grid item xs={12} key={domain} className={a11y.scroll}>
            <Table<PostureResult>
              title={
                <Box display="flex" alignItems="center" style={{ gap: 8 }}>
                  <GradeBadge grade={breakdown.grade} />
                  <Typography variant="h6" component="span">
                    {DOMAIN_TITLES[domain]}
                  </Typography>
                  <Typography variant="caption" color="textSecondary">
                    {failureLabel(
                      failureCounts(results.filter(r => r.domain === domain)),
                    )}{' '}
                    · {breakdown.explanation}
                  </Typography>
                </Box>
              }
              options={{
                paging: inDomain.length > 20,
                pageSize: 20,
                search: false,
                padding: 'dense',
                rowStyle: (r: PostureResult) =>
                  r.checkId === focus ? FOCUSED_ROW : {},
              }}
              columns={columns}
              data={inDomain}
              onRowClick={(_event, _row, togglePanel) => togglePanel?.()}
              detailPanel={[
                {
                  tooltip: 'How to fix it',
                  render: ({ rowData }: { rowData: PostureResult }) => {
                    const check = checks.value?.get(rowData.checkId);
                    return (
                      <Box p={2}>
                        {check ? (
                          <CheckDoc check={check} result={rowData} />
                        ) : (
                          <Typography>{rowData.checkId}</Typography>
                        )}
                      </Box>
                    );
                  },
                },
              ]}
              emptyContent={
                <Box p={2}>
                  <Typography variant="body2">
                    {showAll
                      ? 'No results in this domain.'
                      : 'Nothing failing in this domain.'}
                  </Typography>
                </Box>
              }
            />
          </Grid>
        );
      })}
      {exempting && (
        <RequestExemptionDialog
          open
          entityRef={entityRef}
          checkId={exempting.result.checkId}
          checkTitle={exempting.check?.title}
          resource={
            exempting.result.resource.cluster === 'catalog'
              ? undefined
              : exempting.result.resource
          }
          onClose={() => setExempting(undefined)}
        />
      )}
    </Grid>
  );
}
