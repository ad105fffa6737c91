import { Fragment } from 'react';
import { Box, Typography } from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { Link } from '@backstage/core-components';
import {
  EntityDisplayName,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { parseEntityRef } from '@backstage/catalog-model';
import { AccessRequest } from '@internal/backstage-plugin-security-guardrails-common';
import { Countdown } from '../common/Countdown';
import { HowToUseAccess } from './HowToUseAccess';
import { useOptionalRouteRef } from '../../hooks/useOptionalRouteRef';
import { RequestStateChip } from '../common/RequestStateChip';
import { formatDuration, relativeTime } from '../common/time';

/**
 * An entity by its display name (the catalog's title or profile name, e.g.
 * "Platform Team" for group:default/platform-team; the full ref on hover),
 * linked to its page. Anything that is not an entity ref (the system actor)
 * is shown as written.
 */
export function EntityLink(props: { entityRef: string }) {
  const entityRoute = useOptionalRouteRef(entityRouteRef);
  let href: string | undefined;
  if (entityRoute) {
    try {
      const { kind, namespace, name } = parseEntityRef(props.entityRef);
      href = entityRoute({
        kind: kind.toLocaleLowerCase('en-US'),
        namespace,
        name,
      });
    } catch {
      // Not an entity ref: shown as text.
    }
  }
  if (!href) return <>{props.entityRef}</>;
  return (
    <Link to={href}>
      <EntityDisplayName entityRef={props.entityRef} hideIcon />
    </Link>
  );
}

/** What a request asks for, in a line. */
export function requestWhat(r: AccessRequest): string {
  if (r.kind === 'exemption') {
    const scope = r.scope?.name ? ` on ${r.scope.kind}/${r.scope.name}` : '';
    return `Exemption from ${r.checkId}${scope} for ${formatDuration(
      r.durationSeconds * 1000,
    )}`;
  }
  if (r.kind === 'extension') {
    return `${formatDuration(r.durationSeconds * 1000)} more of ${r.role} in ${
      r.cluster
    }: ${(r.namespaces ?? []).join(', ')}`;
  }
  return `${r.role} in ${r.cluster}: ${(r.namespaces ?? []).join(
    ', ',
  )} for ${formatDuration(r.durationSeconds * 1000)}`;
}

/**
 * Who acted: a user or group by name, linked; the system and policy actors
 * (`system:security-guardrails`, `policy:auto-approve`) as written.
 */
export function ActorLink(props: { actor: string }) {
  return /^(user|group):/i.test(props.actor) ? (
    <EntityLink entityRef={props.actor} />
  ) : (
    <>{props.actor}</>
  );
}

/** Entities in a sentence: "A, B" or "A or B", each by its display name. */
function EntityList(props: { refs: string[]; or?: boolean }) {
  return (
    <>
      {props.refs.map((ref, i) => (
        <Fragment key={ref}>
          {i > 0 && (props.or ? ' or ' : ', ')}
          <ActorLink actor={ref} />
        </Fragment>
      ))}
    </>
  );
}

function ApprovalText(props: { request: AccessRequest }) {
  const r = props.request;
  const approvals = r.approvals.filter(a => a.decision === 'approve');
  if (r.state === 'pending') {
    return (
      <>
        Approvals: {approvals.length} of {r.approvalsRequired}, by{' '}
        <EntityList refs={r.approverGroups} or />
      </>
    );
  }
  return approvals.length > 0 ? (
    <>
      Approved by <EntityList refs={approvals.map(a => a.approver)} />
    </>
  ) : null;
}

/** A request's state, what it is for, who asked and who decided, and any failure. */
export function RequestSummary(props: {
  request: AccessRequest;
  showRequester?: boolean;
  /** For the requester's own active grants: how to use them. */
  showUsage?: boolean;
}) {
  const r = props.request;
  return (
    <Box>
      <Box
        display="flex"
        alignItems="center"
        style={{ gap: 8 }}
        flexWrap="wrap"
      >
        <RequestStateChip state={r.state} />
        <Typography variant="subtitle1" component="span">
          {requestWhat(r)}
        </Typography>
        {r.state === 'active' && r.expiresAt && (
          <Countdown until={r.expiresAt} />
        )}
        {r.revokeRequested && r.state === 'active' && (
          <Typography variant="caption" color="error">
            revocation in progress
          </Typography>
        )}
      </Box>
      <Typography variant="body2">
        <EntityLink entityRef={r.entityRef} />
        {props.showRequester && (
          <>
            {' '}
            · requested by <EntityLink entityRef={r.requester} />
          </>
        )}{' '}
        · {relativeTime(r.createdAt)}
        {r.ticket ? ` · ${r.ticket}` : ''}
      </Typography>
      <Typography variant="body2" color="textSecondary">
        “{r.justification}”
      </Typography>
      <Typography variant="caption" color="textSecondary" component="p">
        <ApprovalText request={r} />
        {r.expiresAt && r.state === 'active'
          ? ` · until ${new Date(r.expiresAt).toLocaleString()}`
          : ''}
        {r.endedAt
          ? ` · ended ${relativeTime(r.endedAt)}${
              r.endReason ? ` (${r.endReason})` : ''
            }`
          : ''}
      </Typography>
      {props.showUsage && <HowToUseAccess request={r} />}
      {r.lastError && (
        <Alert severity="error" style={{ marginTop: 8 }}>
          {r.state === 'active'
            ? 'Removing the access failed'
            : 'Applying the access failed'}{' '}
          ({r.attempts} attempt
          {r.attempts === 1 ? '' : 's'}): {r.lastError}
          {r.nextAttemptAt ? `. Retried ${relativeTime(r.nextAttemptAt)}.` : ''}
        </Alert>
      )}
    </Box>
  );
}
