import { Typography } from '@material-ui/core';
import { relativeTime } from './time';

/** The product's one way of showing a time: relative ("3 hours ago"), the exact local time on hover. */
export function When(props: { at: string | null | undefined }) {
  if (!props.at) return <>never</>;
  const t = new Date(props.at);
  const exact = Number.isNaN(t.getTime()) ? props.at : t.toLocaleString();
  return (
    <Typography
      component="time"
      variant="inherit"
      title={exact}
      dateTime={props.at}
    >
      {relativeTime(props.at)}
    </Typography>
  );
}
