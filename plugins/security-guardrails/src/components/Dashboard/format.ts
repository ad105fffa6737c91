/*
 * How the dashboard writes numbers: signed changes, percentages, grade colours.
 */
import { Grade } from '@internal/backstage-plugin-security-guardrails-common';

export const GRADES: Array<Grade | 'none'> = ['A', 'B', 'C', 'D', 'F', 'none'];

export const GRADE_COLORS: Record<string, string> = {
  A: '#2e7d32',
  B: '#558b2f',
  C: '#f9a825',
  D: '#ef6c00',
  F: '#c62828',
  none: '#9e9e9e',
};

export function signed(n: number | null): string {
  if (n === null) return '–';
  return n > 0 ? `+${n}` : String(n);
}

export function percent(n: number | null): string {
  return n === null ? '–' : `${Math.round(n * 100)}%`;
}
