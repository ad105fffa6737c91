/*
 * What an approver decides on, beside the request itself: the RoleBinding
 * that approving applies, what the requester already holds, and how the
 * service stands.
 */
import { Box, Typography } from '@material-ui/core';
import { CodeSnippet } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  AccessRequest,
  failureCounts,
  failureLabel,
} from '@internal/backstage-plugin-security-guardrails-common';
import { securityGuardrailsApiRef } from '../../api';
import { useAccessPolicy } from '../../hooks/useAccessPolicy';
import { useBackendData } from '../../hooks/useBackendData';
import { isNotFound } from '../../hooks/usePosture';
import { GradeBadge } from '../common/Badges';
import { previewRoleBinding } from './roleBindingPreview';
import { requestWhat } from './RequestSummary';

function PostureLine(props: { entityRef: string }) {
  const api = useApi(securityGuardrailsApiRef);
  const posture = useBackendData(
    () =>
      api.getPosture(props.entityRef).catch(e => {
        if (isNotFound(e)) return null;
        throw e;
      }),
    [api, props.entityRef],
  );
  if (posture.value === undefined) {
    return (
      <Typography variant="body2" color="textSecondary">
        {posture.error ? "The service's posture could not be read." : '…'}
      </Typography>
    );
  }
  if (posture.value === null) {
    return (
      <Typography variant="body2">The service has no posture yet.</Typography>
    );
  }
  const overall = posture.value.score.overall;
  return (
    <Box display="flex" alignItems="center" style={{ gap: 8 }}>
      <GradeBadge grade={overall.grade} />
      <Typography variant="body2">
        Service posture {overall.score ?? '–'} / 100 ·{' '}
        {failureLabel(failureCounts(posture.value.results))}
      </Typography>
    </Box>
  );
}

function HeldLine(props: { request: AccessRequest; held?: AccessRequest[] }) {
  const others = (props.held ?? []).filter(
    g => g.requester === props.request.requester && g.id !== props.request.id,
  );
  return (
    <Typography variant="body2">
      {others.length === 0
        ? 'The requester holds no other active access you can see.'
        : `The requester already holds: ${others
            .map(g => requestWhat(g))
            .join('; ')}.`}
    </Typography>
  );
}

/** The context of one pending request; `held` is the active access the approver can see. */
export function ApprovalContext(props: {
  request: AccessRequest;
  held?: AccessRequest[];
}) {
  const r = props.request;
  const policy = useAccessPolicy();
  const role = policy.value?.roles.find(x => x.name === r.role);
  const preview =
    r.kind !== 'exemption' && role && r.namespaces?.length
      ? r.namespaces
          .map(namespace =>
            previewRoleBinding({
              role,
              namespace,
              subject: r.subject ?? r.requester,
              entityRef: r.entityRef,
              durationSeconds: r.durationSeconds,
              justification: r.justification,
              requestId: r.id,
              requester: r.requester,
              // Those who approved so far, and the approver reading this.
              approvers: [
                ...r.approvals
                  .filter(a => a.decision === 'approve')
                  .map(a => a.approver),
                '<you>',
              ],
            }),
          )
          .join('\n---\n')
      : undefined;
  return (
    <Box mt={1} data-testid="approval-context">
      <PostureLine entityRef={r.entityRef} />
      {r.kind !== 'exemption' && <HeldLine request={r} held={props.held} />}
      {preview && (
        <Box mt={1}>
          <Typography variant="subtitle2">
            Approving applies{' '}
            {r.namespaces!.length === 1
              ? 'this RoleBinding'
              : 'these RoleBindings'}
          </Typography>
          <CodeSnippet language="yaml" text={preview} />
        </Box>
      )}
    </Box>
  );
}
