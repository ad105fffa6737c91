import { Box, Grid } from '@material-ui/core';
import { Skeleton } from '@material-ui/lab';

/**
 * The shape of a posture summary while it loads (ring, grade, five domain
 * bars, the top failures), the same size as what replaces it, so the page
 * does not shift when it arrives.
 */
export function PostureSkeleton() {
  return (
    <Grid
      container
      spacing={2}
      role="progressbar"
      aria-label="Loading the posture"
      aria-busy="true"
    >
      <Grid item xs={12} sm={5}>
        <Box display="flex" alignItems="center" style={{ gap: 16 }}>
          <Skeleton variant="circle" width={112} height={112} />
          <Skeleton variant="rect" width={56} height={56} />
        </Box>
        <Skeleton variant="text" width="90%" style={{ marginTop: 8 }} />
        <Skeleton variant="text" width="70%" />
      </Grid>
      <Grid item xs={12} sm={7}>
        {[0, 1, 2, 3, 4].map(i => (
          <Box
            key={i}
            display="flex"
            alignItems="center"
            style={{ gap: 8 }}
            mb={1}
          >
            <Skeleton variant="rect" width={28} height={28} />
            <Box flex={1}>
              <Skeleton variant="text" width="60%" />
              <Skeleton variant="rect" height={4} />
            </Box>
          </Box>
        ))}
      </Grid>
      <Grid item xs={12}>
        <Skeleton variant="text" width="40%" />
        {[0, 1, 2].map(i => (
          <Skeleton key={i} variant="text" height={44} />
        ))}
      </Grid>
    </Grid>
  );
}
