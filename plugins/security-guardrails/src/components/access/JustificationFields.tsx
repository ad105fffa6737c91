import { TextField } from '@material-ui/core';
import { MIN_JUSTIFICATION_LENGTH } from '@internal/backstage-plugin-security-guardrails-common';

/** The backend's rule for a justification, checked before submitting. */
export function isJustificationOk(justification: string): boolean {
  return justification.trim().length >= MIN_JUSTIFICATION_LENGTH;
}

/**
 * The justification and ticket fields that every request dialog asks for.
 * Ids are `${idPrefix}-justification` and `${idPrefix}-ticket`.
 */
export function JustificationFields(props: {
  idPrefix: string;
  justification: string;
  onJustificationChange: (value: string) => void;
  justificationHelp: string;
  ticket: string;
  onTicketChange: (value: string) => void;
  ticketHelp?: string;
}) {
  const { justification } = props;
  return (
    <>
      <TextField
        id={`${props.idPrefix}-justification`}
        label="Justification"
        required
        fullWidth
        multiline
        minRows={2}
        margin="normal"
        value={justification}
        onChange={e => props.onJustificationChange(e.target.value)}
        helperText={props.justificationHelp}
        error={justification.length > 0 && !isJustificationOk(justification)}
      />
      <TextField
        id={`${props.idPrefix}-ticket`}
        label="Ticket (optional)"
        fullWidth
        margin="normal"
        value={props.ticket}
        onChange={e => props.onTicketChange(e.target.value)}
        helperText={props.ticketHelp}
      />
    </>
  );
}
