import { useTheme } from '@material-ui/core';

const WIDTH = 360;
const HEIGHT = 140;
const LEFT = 36;
const RIGHT = 8;
const TOP = 8;
const BOTTOM = 22;

/** "5 Nov": the product's short date, in the reader's time zone. */
export function shortDate(iso: string): string {
  const d = new Date(iso.length === 10 ? `${iso}T12:00:00Z` : iso);
  return Number.isNaN(d.getTime())
    ? iso
    : d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short' });
}

function timeOf(date: string): number {
  return Date.parse(date.length === 10 ? `${date}T12:00:00Z` : date);
}

/**
 * A line over time with its axes: values from 0 to `max` on the left (three
 * ticks, in `unit`), dates along the bottom (first, middle, last), points
 * placed by their time and marked. `step` draws a value held until the next
 * point (a score between its changes). Its label says the first and last
 * values in words, for screen readers and tooltips.
 */
export function TrendChart(props: {
  points: Array<{ date: string; value: number }>;
  max: number;
  unit?: string;
  title: string;
  step?: boolean;
}) {
  const theme = useTheme();
  const { points, max } = props;
  const unit = props.unit ?? '';
  const innerW = WIDTH - LEFT - RIGHT;
  const innerH = HEIGHT - TOP - BOTTOM;
  const t0 = points.length ? timeOf(points[0].date) : 0;
  const span = points.length ? timeOf(points[points.length - 1].date) - t0 : 0;
  const x = (i: number) =>
    LEFT +
    (span > 0 ? ((timeOf(points[i].date) - t0) / span) * innerW : innerW / 2);
  const y = (v: number) =>
    TOP + innerH - (Math.max(0, Math.min(max, v)) / max) * innerH;
  const first = points[0];
  const last = points[points.length - 1];
  const label = first
    ? `${props.title}: ${Math.round(first.value)}${unit} on ${shortDate(
        first.date,
      )}, ${Math.round(last.value)}${unit} on ${shortDate(last.date)}`
    : `${props.title}: no data`;
  const ticks = [0, max / 2, max];
  const dateTicks = points.length
    ? [...new Set([0, Math.floor((points.length - 1) / 2), points.length - 1])]
    : [];
  const axis = theme.palette.text.secondary;
  return (
    <svg
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      width="100%"
      role="img"
      aria-label={label}
      style={{ maxWidth: WIDTH * 1.5, display: 'block' }}
    >
      <title>{label}</title>
      {ticks.map(t => (
        <g key={t}>
          <line
            x1={LEFT}
            x2={WIDTH - RIGHT}
            y1={y(t)}
            y2={y(t)}
            stroke={theme.palette.divider}
          />
          <text
            x={LEFT - 4}
            y={y(t) + 4}
            textAnchor="end"
            fontSize={10}
            fill={axis}
          >
            {Math.round(t)}
            {unit}
          </text>
        </g>
      ))}
      {dateTicks.map(i => (
        <text
          key={i}
          x={x(i)}
          y={HEIGHT - 6}
          textAnchor={
            // eslint-disable-next-line no-nested-ternary
            i === 0 ? 'start' : i === points.length - 1 ? 'end' : 'middle'
          }
          fontSize={10}
          fill={axis}
        >
          {shortDate(points[i].date)}
        </text>
      ))}
      {points.length > 1 && (
        <polyline
          fill="none"
          stroke={theme.palette.primary.main}
          strokeWidth={2}
          points={points
            .flatMap((p, i) =>
              props.step && i > 0
                ? [`${x(i)},${y(points[i - 1].value)}`, `${x(i)},${y(p.value)}`]
                : [`${x(i)},${y(p.value)}`],
            )
            .join(' ')}
        />
      )}
      {points.map((p, i) => (
        <circle
          key={`${p.date}|${i}`}
          cx={x(i)}
          cy={y(p.value)}
          r={points.length > 40 ? 1.5 : 2.5}
          fill={theme.palette.primary.main}
        >
          <title>
            {shortDate(p.date)}: {Math.round(p.value)}
            {unit}
          </title>
        </circle>
      ))}
    </svg>
  );
}
