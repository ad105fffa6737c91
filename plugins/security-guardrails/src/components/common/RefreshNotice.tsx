import { ResponseErrorPanel } from '@backstage/core-components';
import { Alert } from '@material-ui/lab';
import { RefreshWait } from '../../hooks/useRefreshPosture';

/** What came of pressing refresh: the backend's "try again in …" as a note, any other failure as an error. */
export function RefreshNotice(props: { wait?: RefreshWait; error?: Error }) {
  if (props.wait) {
    return (
      <Alert severity="info" role="status">
        {props.wait.message}
      </Alert>
    );
  }
  return props.error ? <ResponseErrorPanel error={props.error} /> : null;
}
