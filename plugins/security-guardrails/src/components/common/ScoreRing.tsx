import { useTheme } from '@material-ui/core';
import { Grade } from '@internal/backstage-plugin-security-guardrails-common';
import { gradeColor } from './Badges';

const SIZE = 112;
const STROKE = 10;
const RADIUS = (SIZE - STROKE) / 2;
const CIRCUMFERENCE = 2 * Math.PI * RADIUS;

/**
 * The overall score as a ring in the grade's colour (a score capped to C by
 * a critical finding draws in C's colour, not by its percentage), with the
 * number inside it: "88" over "of 100", sized to fit the ring.
 */
export function ScoreRing(props: {
  score: number | null;
  grade: Grade | null;
}) {
  const theme = useTheme();
  const { score, grade } = props;
  const filled = score === null ? 0 : Math.max(0, Math.min(100, score)) / 100;
  const colour = gradeColor(grade);
  return (
    <svg
      width={SIZE}
      height={SIZE}
      viewBox={`0 0 ${SIZE} ${SIZE}`}
      role="img"
      aria-label={
        score === null
          ? 'No score yet'
          : `Score ${score} of 100, grade ${grade}`
      }
    >
      <circle
        cx={SIZE / 2}
        cy={SIZE / 2}
        r={RADIUS}
        fill="none"
        stroke={theme.palette.divider}
        strokeWidth={STROKE}
      />
      <circle
        data-testid="score-ring-arc"
        cx={SIZE / 2}
        cy={SIZE / 2}
        r={RADIUS}
        fill="none"
        stroke={colour}
        strokeWidth={STROKE}
        strokeLinecap={filled > 0 && filled < 1 ? 'round' : 'butt'}
        strokeDasharray={`${CIRCUMFERENCE * filled} ${CIRCUMFERENCE}`}
        transform={`rotate(-90 ${SIZE / 2} ${SIZE / 2})`}
      />
      <text
        x="50%"
        y={score === null ? '54%' : '50%'}
        textAnchor="middle"
        fontSize={score === null ? 16 : 34}
        fontWeight={700}
        fill={theme.palette.text.primary}
        fontFamily={theme.typography.fontFamily}
      >
        {score === null ? 'No data' : score}
      </text>
      {score !== null && (
        <text
          x="50%"
          y="68%"
          textAnchor="middle"
          fontSize={12}
          fill={theme.palette.text.secondary}
          fontFamily={theme.typography.fontFamily}
        >
          of 100
        </text>
      )}
    </svg>
  );
}
