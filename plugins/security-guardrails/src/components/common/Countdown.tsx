import { useEffect, useState } from 'react';
import { Typography } from '@material-ui/core';
import { formatDuration } from './time';

/** Time left until `until`, updated every second. */
export function Countdown(props: { until: string; expiredText?: string }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const left = Date.parse(props.until) - now;
  return (
    <Typography
      component="span"
      variant="body2"
      role="timer"
      aria-live="off"
      title={props.until}
    >
      {left > 0
        ? `${formatDuration(left)} left`
        : props.expiredText ?? 'expiring now'}
    </Typography>
  );
}
