/*
 * Who holds what across the organisation: temporary grants, standing
 * privileges and expired bindings, and exemptions by expiry.
 */
import { List, ListItem, ListItemText, Typography } from '@material-ui/core';
import { InfoCard } from '@backstage/core-components';
import {
  AccessRequest,
  AccessRequestList,
  StandingAccessFindings,
} from '@internal/backstage-plugin-security-guardrails-common';
import { EntityLink } from '../access/RequestSummary';
import { RevokeButton } from '../access/RevokeButton';
import { When } from '../common/When';
import { BackendError } from '../common/BackendError';
import { BackendData } from '../../hooks/useBackendData';

type Loaded<T> = BackendData<T>;

export function GrantsCard(props: { grants: Loaded<AccessRequest[]> }) {
  const { grants } = props;
  return (
    <InfoCard title="Active temporary grants">
      <BackendError data={grants} what="the grants" />
      {!grants.loading && (grants.value ?? []).length === 0 && (
        <Typography variant="body2">
          No one holds temporary access right now.
        </Typography>
      )}
      <List dense>
        {(grants.value ?? []).map((g: AccessRequest) => (
          <ListItem key={g.id} disableGutters>
            <ListItemText
              primary={
                <>
                  <EntityLink entityRef={g.requester} />: {g.role} in{' '}
                  {g.cluster}/{(g.namespaces ?? []).join(', ')}
                </>
              }
              secondary={
                <>
                  <EntityLink entityRef={g.entityRef} /> ·{' '}
                  {g.state === 'active' ? (
                    <>
                      until <When at={g.expiresAt} />
                    </>
                  ) : (
                    g.state
                  )}
                </>
              }
            />
            <RevokeButton request={g} onDone={grants.retry} />
          </ListItem>
        ))}
      </List>
    </InfoCard>
  );
}

export function StandingAccessCard(props: {
  standingAccess: Loaded<StandingAccessFindings>;
}) {
  const { standingAccess } = props;
  const standing = standingAccess.value?.items ?? [];
  return (
    <InfoCard title="Standing privileges and expired bindings">
      <BackendError data={standingAccess} what="standing privileges" />
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
      {standingAccess.value && standingAccess.value.total > standing.length && (
        <Typography variant="caption" color="textSecondary">
          Showing {standing.length} of {standingAccess.value.total}.
        </Typography>
      )}
    </InfoCard>
  );
}

export function ExemptionsCard(props: {
  exemptions: Loaded<AccessRequestList>;
}) {
  const soon = [...(props.exemptions.value?.items ?? [])].sort((a, b) =>
    (a.expiresAt ?? '').localeCompare(b.expiresAt ?? ''),
  );
  return (
    <InfoCard title="Exemptions, soonest to expire first">
      <BackendError data={props.exemptions} what="the exemptions" />
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
                secondary={
                  <>
                    expires <When at={e.expiresAt} /> · {e.justification}
                  </>
                }
              />
              <RevokeButton request={e} onDone={props.exemptions.retry} />
            </ListItem>
          ))}
        </List>
      )}
    </InfoCard>
  );
}
