import { useEffect, useState } from 'react';
import { Button } from '@material-ui/core';
import { Alert, AlertTitle } from '@material-ui/lab';
import { ResponseError } from '@backstage/errors';
import { BackendData, isUnreachable } from '../../hooks/useBackendData';
import { formatDuration, relativeTime } from './time';

/** The backend's own sentence for a failed request, without the HTTP wrapping. */
export function backendMessage(error: Error): string {
  if (error instanceof ResponseError) {
    const said = error.body?.error?.message;
    const status = `${error.statusCode}${
      error.response.statusText ? ` ${error.response.statusText}` : ''
    }`;
    return typeof said === 'string' && said
      ? `${said} (${status})`
      : `The backend answered ${status}.`;
  }
  return error.message;
}

function useSecondsUntil(at: number | undefined): number | undefined {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (at === undefined) return undefined;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [at]);
  return at === undefined ? undefined : Math.max(0, at - now);
}

/**
 * What went wrong loading `what`, in words: an unreachable backend says so,
 * says how old the data still shown is and when it is asked again (and
 * offers to ask now); any other failure gives the backend's message and a
 * retry. Renders nothing while the last load succeeded.
 */
export function BackendError(props: {
  data: Pick<
    BackendData<unknown>,
    'error' | 'stale' | 'unreachable' | 'loadedAt' | 'retryAt' | 'retry'
  > & { loading?: boolean };
  /** What was being loaded, for the title: "the posture", "approvals". */
  what: string;
}) {
  const { data, what } = props;
  const left = useSecondsUntil(data.retryAt);
  if (!data.error) return null;
  const kept = data.stale
    ? ` Showing ${what} as loaded ${relativeTime(
        data.loadedAt?.toISOString(),
      )}; it may be out of date.`
    : '';
  let next = '';
  if (data.loading) next = ' Trying again now…';
  else if (left !== undefined)
    next = ` Trying again by itself in ${formatDuration(left + 999)}.`;
  return (
    <Alert
      severity={data.unreachable ? 'warning' : 'error'}
      role="alert"
      style={{ marginBottom: 16 }}
      action={
        <Button color="inherit" size="small" onClick={data.retry}>
          Retry
        </Button>
      }
    >
      <AlertTitle>
        {data.unreachable
          ? 'The Security Guardrails backend cannot be reached'
          : `Could not load ${what}`}
      </AlertTitle>
      {data.unreachable && !(data.error instanceof ResponseError)
        ? `No answer (${data.error.message}).`
        : backendMessage(data.error)}
      {kept}
      {next}
    </Alert>
  );
}

/** A failed action (submit, approve, refresh), in the backend's words. */
export function ActionError(props: { error?: Error }) {
  if (!props.error) return null;
  return (
    <Alert severity="error" role="alert" style={{ marginTop: 8 }}>
      {isUnreachable(props.error) && !(props.error instanceof ResponseError)
        ? `The Security Guardrails backend cannot be reached (${props.error.message}); try again in a moment.`
        : backendMessage(props.error)}
    </Alert>
  );
}
