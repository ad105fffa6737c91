/*
 * On a Group's page: the active campaigns that cover the team's services,
 * how many of them are done, the days left and the services still to do
 * with what each lacks (linked to its rows in that service's Security tab,
 * where the remediation is), in one request.
 */
import {
  List,
  ListItem,
  ListItemText,
  Typography,
  Box,
} from '@material-ui/core';
import { Link } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { securityGuardrailsApiRef } from '../../api';
import { useBackendData } from '../../hooks/useBackendData';
import { useCheckCatalogue } from '../../hooks/useCheckCatalogue';
import { useSecurityTabLinks } from '../../hooks/useSecurityTabLink';
import { EntityLink } from '../access/RequestSummary';
import { daysLeftText } from './CampaignProgressView';

/** The most services the card names as still to do in each campaign. */
const SHOWN = 5;

export function TeamCampaigns(props: { groupRef: string }) {
  const api = useApi(securityGuardrailsApiRef);
  const checks = useCheckCatalogue();
  const checkLink = useSecurityTabLinks();
  const data = useBackendData(
    () => api.getOwnerCampaigns(props.groupRef),
    [api, props.groupRef],
  );
  const items = data.value?.items ?? [];
  if (items.length === 0) return null;
  const title = (id: string) => checks.value?.get(id)?.title ?? id;
  return (
    <Box mt={2}>
      <Typography variant="subtitle2">Campaigns</Typography>
      <List dense disablePadding aria-label="The team's campaigns">
        {items.map(({ campaign, daysLeft, services, done, remaining }) => (
          <ListItem key={campaign.id} disableGutters>
            <ListItemText
              primary={`${campaign.name} · ${daysLeftText(daysLeft)}`}
              secondaryTypographyProps={{ component: 'div' }}
              secondary={
                done === services ? (
                  `All ${services} of the team's services meet it.`
                ) : (
                  <>
                    {`${done} of ${services} of the team's services done; ${
                      services - done
                    } to go:`}
                    <Box component="ul" m={0} pl={2}>
                      {remaining.slice(0, SHOWN).map(r => (
                        <li key={r.entityRef}>
                          <EntityLink entityRef={r.entityRef} />
                          {': '}
                          {r.failingChecks.map((id, i) => (
                            <span key={id}>
                              {i > 0 && ', '}
                              {checkLink ? (
                                <Link to={checkLink(r.entityRef, id)}>
                                  {title(id)}
                                </Link>
                              ) : (
                                title(id)
                              )}
                            </span>
                          ))}
                          {r.belowGrade &&
                            `${r.failingChecks.length ? '; ' : ''}reach grade ${
                              campaign.target.minGrade
                            }`}
                        </li>
                      ))}
                      {services - done > SHOWN && (
                        <li>and {services - done - SHOWN} more</li>
                      )}
                    </Box>
                  </>
                )
              }
            />
          </ListItem>
        ))}
      </List>
    </Box>
  );
}
