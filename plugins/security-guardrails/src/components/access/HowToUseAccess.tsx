import { Box, Typography } from '@material-ui/core';
import { CodeSnippet } from '@backstage/core-components';
import { AccessRequest } from '@internal/backstage-plugin-security-guardrails-common';

/**
 * For an active grant: who one acts as on the cluster, where, until when,
 * and the kubectl lines to start with (the context is named as the cluster
 * is configured; one's kubeconfig may call it otherwise).
 */
export function HowToUseAccess(props: { request: AccessRequest }) {
  const r = props.request;
  if (r.kind !== 'access' || r.state !== 'active' || !r.cluster) return null;
  const namespaces = r.namespaces ?? [];
  const first = namespaces[0] ?? 'default';
  const until = r.expiresAt ? new Date(r.expiresAt) : undefined;
  const commands = [
    `kubectl config use-context ${r.cluster}`,
    `kubectl -n ${first} auth can-i --list`,
    `kubectl -n ${first} get pods`,
  ].join('\n');
  return (
    <Box mt={1} data-testid="how-to-use-access">
      <Typography variant="subtitle2">How to use this access</Typography>
      <Typography variant="body2">
        On cluster <code>{r.cluster}</code>, your Kubernetes user{' '}
        <code>{r.subject ?? 'from your sign-in'}</code> holds the ClusterRole{' '}
        <code>{r.clusterRole ?? r.role}</code> in{' '}
        {namespaces.map((n, i) => (
          <span key={n}>
            {i > 0 && ', '}
            <code>{n}</code>
          </span>
        ))}
        {until && (
          <>
            {' '}
            until <time dateTime={r.expiresAt}>{until.toLocaleString()}</time>
          </>
        )}
        . Use your kubeconfig's context for that cluster:
      </Typography>
      <Box my={1}>
        <CodeSnippet language="sh" text={commands} showCopyCodeButton />
      </Box>
      <Typography variant="caption" color="textSecondary" component="p">
        The RoleBinding
        {r.bindings.length === 1 ? ` ${r.bindings[0].name} is` : 's are'}{' '}
        removed when the time is up; commands after that are refused. Extend it
        from My access if you need longer.
      </Typography>
    </Box>
  );
}
