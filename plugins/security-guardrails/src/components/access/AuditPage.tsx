import { useState } from 'react';
import { Box, Button, TextField, Typography } from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import {
  EmptyState,
  Progress,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  AuditEvent,
  guardrailsAuditReadPermission,
} from '@internal/backstage-plugin-security-guardrails-common';
import { AuditQuery, securityGuardrailsApiRef } from '../../api';
import { downloadCsv } from '../common/csv';
import { ActorLink, EntityLink } from './RequestSummary';
import { ActionError, BackendError } from '../common/BackendError';
import { When } from '../common/When';
import { useBackendData } from '../../hooks/useBackendData';

interface Filters {
  actor: string;
  entityRef: string;
  from: string;
  to: string;
}

const EMPTY: Filters = { actor: '', entityRef: '', from: '', to: '' };

function toQuery(f: Filters): AuditQuery {
  return {
    actor: f.actor.trim() || undefined,
    entityRef: f.entityRef.trim() || undefined,
    from: f.from ? new Date(`${f.from}T00:00:00Z`).toISOString() : undefined,
    to: f.to ? new Date(`${f.to}T23:59:59Z`).toISOString() : undefined,
  };
}

/** The append-only history of every request transition, for security leads. */
export function AuditPage() {
  const api = useApi(securityGuardrailsApiRef);
  const { allowed: readsEverything } = usePermission({
    permission: guardrailsAuditReadPermission,
  });
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [pages, setPages] = useState<AuditEvent[][]>([]);
  const [cursor, setCursor] = useState<string>();
  const [error, setError] = useState<Error>();

  const first = useBackendData(async () => {
    setError(undefined);
    const page = await api.getAudit({ ...toQuery(filters), limit: 100 });
    setPages([page.items]);
    setCursor(page.nextCursor);
    return page;
  }, [api, filters]);

  const more = async () => {
    try {
      const page = await api.getAudit({
        ...toQuery(filters),
        limit: 100,
        cursor,
      });
      setPages(p => [...p, page.items]);
      setCursor(page.nextCursor);
    } catch (e) {
      setError(e as Error);
    }
  };

  const events = pages.flat();
  const columns: TableColumn<AuditEvent>[] = [
    { title: 'When', field: 'at', render: e => <When at={e.at} /> },
    { title: 'Event', field: 'event' },
    {
      title: 'Actor',
      field: 'actor',
      render: e => <ActorLink actor={e.actor} />,
    },
    { title: 'Service', render: e => <EntityLink entityRef={e.entityRef} /> },
    {
      title: 'Request',
      render: e => `${e.requestKind} ${e.requestId.slice(0, 8)}`,
    },
    { title: 'Reason', field: 'reason' },
  ];

  return (
    <Box>
      {!readsEverything && (
        <Alert severity="info" style={{ marginBottom: 16 }}>
          You see the history of your own requests and decisions; security leads
          see every team's.
        </Alert>
      )}
      <Box
        display="flex"
        flexWrap="wrap"
        style={{ gap: 16 }}
        mb={2}
        component="form"
        onSubmit={e => {
          e.preventDefault();
          setFilters(draft);
        }}
      >
        <TextField
          id="sg-audit-actor"
          label="Actor"
          placeholder="sam or user:default/sam"
          value={draft.actor}
          onChange={e => setDraft({ ...draft, actor: e.target.value })}
        />
        <TextField
          id="sg-audit-service"
          label="Service"
          placeholder="component:default/storefront"
          value={draft.entityRef}
          onChange={e => setDraft({ ...draft, entityRef: e.target.value })}
        />
        <TextField
          id="sg-audit-from"
          label="From"
          type="date"
          InputLabelProps={{ shrink: true }}
          value={draft.from}
          onChange={e => setDraft({ ...draft, from: e.target.value })}
        />
        <TextField
          id="sg-audit-to"
          label="To"
          type="date"
          InputLabelProps={{ shrink: true }}
          value={draft.to}
          onChange={e => setDraft({ ...draft, to: e.target.value })}
        />
        <Button type="submit" variant="outlined">
          Filter
        </Button>
        <Button
          disabled={events.length === 0}
          onClick={() =>
            downloadCsv('security-guardrails-audit.csv', [
              [
                'at',
                'event',
                'actor',
                'entityRef',
                'requestKind',
                'requestId',
                'reason',
              ],
              ...events.map(e => [
                e.at,
                e.event,
                e.actor,
                e.entityRef,
                e.requestKind,
                e.requestId,
                e.reason ?? '',
              ]),
            ])
          }
        >
          Export CSV
        </Button>
      </Box>
      <BackendError data={first} what="the audit history" />
      <ActionError error={error} />
      {first.value === undefined && !first.error && <Progress />}
      {first.value !== undefined && (
        <Table<AuditEvent>
          title={`Audit history (${events.length}${cursor ? '+' : ''})`}
          options={{ paging: false, search: false, padding: 'dense' }}
          columns={columns}
          data={events}
          emptyContent={
            <EmptyState
              missing="data"
              title="No events"
              description="No request matches these filters."
            />
          }
        />
      )}
      {cursor && (
        <Box mt={1}>
          <Button onClick={more}>Load older events</Button>
          <Typography variant="caption" color="textSecondary">
            {' '}
            History is kept after grants expire.
          </Typography>
        </Box>
      )}
    </Box>
  );
}
