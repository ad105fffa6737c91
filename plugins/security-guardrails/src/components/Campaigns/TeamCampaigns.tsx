/*
 * On a Group's page: the active campaigns that cover the team's services,
 * how many of them are done and the days left, as the campaign's own
 * progress counts them.
 */
import {
  List,
  ListItem,
  ListItemText,
  Typography,
  Box,
} from '@material-ui/core';
import { useApi } from '@backstage/core-plugin-api';
import { securityGuardrailsApiRef } from '../../api';
import { useBackendData } from '../../hooks/useBackendData';
import { daysLeftText } from './CampaignProgressView';

export function TeamCampaigns(props: { groupRef: string }) {
  const api = useApi(securityGuardrailsApiRef);
  const data = useBackendData(async () => {
    const active = (await api.listCampaigns()).filter(
      c => c.state === 'active',
    );
    const progress = await Promise.all(
      active.map(c => api.getCampaignProgress(c.id)),
    );
    return progress.flatMap(p => {
      const team = p.byOwner.find(o => o.owner === props.groupRef);
      return team ? [{ progress: p, team }] : [];
    });
  }, [api, props.groupRef]);
  const items = data.value ?? [];
  if (items.length === 0) return null;
  return (
    <Box mt={2}>
      <Typography variant="subtitle2">Campaigns</Typography>
      <List dense disablePadding aria-label="The team's campaigns">
        {items.map(({ progress: p, team }) => (
          <ListItem key={p.campaign.id} disableGutters>
            <ListItemText
              primary={`${p.campaign.name} · ${daysLeftText(p.daysLeft)}`}
              secondary={
                team.done === team.services
                  ? `All ${team.services} of the team's services meet it.`
                  : `${team.done} of ${
                      team.services
                    } of the team's services done; ${
                      team.services - team.done
                    } to go.`
              }
            />
          </ListItem>
        ))}
      </List>
    </Box>
  );
}
