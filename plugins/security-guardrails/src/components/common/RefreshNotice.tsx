import { Button } from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { RefreshWait } from '../../hooks/useRefreshPosture';
import { ActionError } from './BackendError';

/** What came of pressing refresh: the backend's "try again in …" as a note, any other failure as an error. */
export function RefreshNotice(props: { wait?: RefreshWait; error?: Error }) {
  if (props.wait) {
    return (
      <Alert severity="info" role="status">
        {props.wait.message}
      </Alert>
    );
  }
  return <ActionError error={props.error} />;
}

/** The "Evaluate now" action of a service that has no posture yet. */
export function EvaluateNowButton(props: {
  onClick: () => void;
  disabled: boolean;
  busy: boolean;
}) {
  return (
    <Button
      variant="contained"
      color="primary"
      onClick={props.onClick}
      disabled={props.disabled}
    >
      {props.busy ? 'Evaluating…' : 'Evaluate now'}
    </Button>
  );
}
