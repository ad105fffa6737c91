import { cloneElement, ReactElement } from 'react';
import { Chip, makeStyles, Tooltip } from '@material-ui/core';
import CheckCircleIcon from '@material-ui/icons/CheckCircle';
import ErrorIcon from '@material-ui/icons/Error';
import WarningIcon from '@material-ui/icons/Warning';
import RemoveCircleOutlineIcon from '@material-ui/icons/RemoveCircleOutline';
import VerifiedUserIcon from '@material-ui/icons/VerifiedUser';
import {
  Grade,
  ResultStatus,
  Severity,
} from '@internal/backstage-plugin-security-guardrails-common';

/** One colour per grade, wherever a grade is drawn: badge, gauge, charts. */
export const GRADE_COLORS: Record<Grade, string> = {
  A: '#2e7d32',
  B: '#558b2f',
  C: '#f9a825',
  D: '#ef6c00',
  F: '#c62828',
};

/** The colour of a grade; grey when there is none (no data). */
export function gradeColor(grade: Grade | null | undefined): string {
  return grade ? GRADE_COLORS[grade] : '#9e9e9e';
}

const useStyles = makeStyles(theme => ({
  grade: {
    display: 'inline-flex',
    alignItems: 'center',
    justifyContent: 'center',
    fontWeight: 700,
    borderRadius: 6,
    color: '#fff',
  },
  small: { width: 28, height: 28, fontSize: 16 },
  large: { width: 56, height: 56, fontSize: 32 },
  none: { backgroundColor: theme.palette.grey[500] },
  chip: { fontWeight: 600 },
}));

/** A grade letter on its colour; the letter itself carries the meaning. */
export function GradeBadge(props: {
  grade: Grade | null | undefined;
  size?: 'small' | 'large';
  title?: string;
}) {
  const classes = useStyles();
  const size = props.size === 'large' ? classes.large : classes.small;
  const label = props.grade ? `Grade ${props.grade}` : 'No data';
  return (
    <Tooltip title={props.title ?? label}>
      <span
        role="img"
        aria-label={label}
        className={`${classes.grade} ${size} ${
          props.grade ? '' : classes.none
        }`}
        style={
          props.grade
            ? { backgroundColor: GRADE_COLORS[props.grade] }
            : undefined
        }
      >
        {props.grade ?? '–'}
      </span>
    </Tooltip>
  );
}

const STATUS: Record<
  ResultStatus,
  { label: string; icon: ReactElement; color: string }
> = {
  pass: {
    label: 'Pass',
    icon: <CheckCircleIcon fontSize="small" />,
    color: '#2e7d32',
  },
  fail: {
    label: 'Fail',
    icon: <ErrorIcon fontSize="small" />,
    color: '#c62828',
  },
  warn: {
    label: 'Warn',
    icon: <WarningIcon fontSize="small" />,
    color: '#ef6c00',
  },
  exempt: {
    label: 'Exempt',
    icon: <VerifiedUserIcon fontSize="small" />,
    color: '#1565c0',
  },
  'not-applicable': {
    label: 'N/A',
    icon: <RemoveCircleOutlineIcon fontSize="small" />,
    color: '#757575',
  },
};

/** A status with icon and word, readable without colour. */
export function StatusChip(props: { status: ResultStatus }) {
  const classes = useStyles();
  const s = STATUS[props.status];
  return (
    <Chip
      size="small"
      variant="outlined"
      icon={cloneElement(s.icon, { style: { color: s.color } })}
      label={s.label}
      className={classes.chip}
      style={{ borderColor: s.color, color: s.color }}
    />
  );
}

const SEVERITY_COLORS: Record<Severity, string> = {
  critical: '#b71c1c',
  high: '#e65100',
  medium: '#f9a825',
  low: '#546e7a',
};

export function SeverityChip(props: { severity: Severity }) {
  const classes = useStyles();
  const color = SEVERITY_COLORS[props.severity];
  return (
    <Chip
      size="small"
      label={props.severity.toUpperCase()}
      className={classes.chip}
      style={{
        backgroundColor: color,
        color: props.severity === 'medium' ? '#000' : '#fff',
      }}
    />
  );
}
