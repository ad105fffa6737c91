import { Chip } from '@material-ui/core';
import { RequestState } from '@internal/backstage-plugin-security-guardrails-common';

const COLORS: Record<RequestState, string> = {
  pending: '#1565c0',
  approved: '#6a1b9a',
  active: '#2e7d32',
  expired: '#616161',
  revoked: '#616161',
  denied: '#c62828',
  cancelled: '#616161',
  'timed-out': '#616161',
  failed: '#c62828',
};

/** A request state as a word on a colour (the word carries the meaning). */
export function RequestStateChip(props: { state: RequestState }) {
  return (
    <Chip
      size="small"
      label={props.state}
      variant="outlined"
      style={{
        borderColor: COLORS[props.state],
        color: COLORS[props.state],
        fontWeight: 600,
      }}
    />
  );
}
