import {
  Box,
  Grid,
  List,
  ListItem,
  ListItemText,
  Typography,
} from '@material-ui/core';
import { InfoCard } from '@backstage/core-components';
import {
  PostureSummary,
  ScoreMover,
} from '@internal/backstage-plugin-security-guardrails-common';
import { EntityLink } from '../access/RequestSummary';
import { signed } from './format';

function Movers(props: { title: string; movers: ScoreMover[] }) {
  return (
    <Box>
      <Typography variant="subtitle2">{props.title}</Typography>
      {props.movers.length === 0 ? (
        <Typography variant="body2" color="textSecondary">
          No change.
        </Typography>
      ) : (
        <List dense disablePadding>
          {props.movers.map(m => (
            <ListItem key={m.entityRef} disableGutters>
              <ListItemText
                primary={<EntityLink entityRef={m.entityRef} />}
                secondary={`${m.from} → ${m.to} (${signed(m.delta)})`}
              />
            </ListItem>
          ))}
        </List>
      )}
    </Box>
  );
}

/** Who improved and who regressed most, over 7 and 30 days. */
export function MoversCard(props: { summary: PostureSummary }) {
  const s = props.summary;
  return (
    <InfoCard title="What moved">
      <Grid container spacing={2}>
        <Grid item xs={6} md={3}>
          <Movers title="Improved, 7 days" movers={s.mostImproved.days7} />
        </Grid>
        <Grid item xs={6} md={3}>
          <Movers title="Regressed, 7 days" movers={s.mostRegressed.days7} />
        </Grid>
        <Grid item xs={6} md={3}>
          <Movers title="Improved, 30 days" movers={s.mostImproved.days30} />
        </Grid>
        <Grid item xs={6} md={3}>
          <Movers title="Regressed, 30 days" movers={s.mostRegressed.days30} />
        </Grid>
      </Grid>
    </InfoCard>
  );
}
