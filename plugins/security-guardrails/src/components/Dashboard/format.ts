/*
 * How the dashboard writes numbers: signed changes, percentages, grade colours.
 */
import { Grade } from '@internal/backstage-plugin-security-guardrails-common';
import { GRADE_COLORS as BADGE_COLORS, gradeColor } from '../common/Badges';

export const GRADES: Array<Grade | 'none'> = ['A', 'B', 'C', 'D', 'F', 'none'];

export const GRADE_COLORS: Record<string, string> = {
  ...BADGE_COLORS,
  none: gradeColor(null),
};

export function signed(n: number | null): string {
  if (n === null) return '–';
  return n > 0 ? `+${n}` : String(n);
}

export function percent(n: number | null): string {
  return n === null ? '–' : `${Math.round(n * 100)}%`;
}
