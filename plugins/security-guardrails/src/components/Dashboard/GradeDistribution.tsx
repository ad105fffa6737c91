import { Box, Typography } from '@material-ui/core';
import { SummaryGroup } from '@internal/backstage-plugin-security-guardrails-common';
import { GradeBadge } from '../common/Badges';
import { GRADE_COLORS, GRADES } from './format';

/** Counts per grade as bars, with the numbers written out. */
export function GradeDistribution(props: { grades: SummaryGroup['grades'] }) {
  const total = GRADES.reduce((s, g) => s + props.grades[g], 0) || 1;
  return (
    <Box role="list" aria-label="Services per grade">
      {GRADES.map(g => (
        <Box
          key={g}
          display="flex"
          alignItems="center"
          style={{ gap: 8 }}
          mb={0.5}
          role="listitem"
        >
          <Box width={40}>
            {g === 'none' ? (
              <Typography variant="caption">no data</Typography>
            ) : (
              <GradeBadge grade={g} />
            )}
          </Box>
          <Box flex={1} bgcolor="action.hover" height={18} borderRadius={4}>
            <Box
              height={18}
              borderRadius={4}
              width={`${(props.grades[g] / total) * 100}%`}
              style={{ backgroundColor: GRADE_COLORS[g] }}
            />
          </Box>
          <Typography variant="body2" style={{ width: 90 }}>
            {props.grades[g]} service{props.grades[g] === 1 ? '' : 's'}
          </Typography>
        </Box>
      ))}
    </Box>
  );
}
