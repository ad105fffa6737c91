/*
 * On a service's pages: the active campaigns that apply to it, days left,
 * and what is still failing for each (linked to its rows in the Security
 * tab); a service that meets a campaign says so.
 */
import {
  Box,
  List,
  ListItem,
  ListItemText,
  Typography,
} from '@material-ui/core';
import { Link } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { securityGuardrailsApiRef } from '../../api';
import { useBackendData } from '../../hooks/useBackendData';
import { useCheckCatalogue } from '../../hooks/useCheckCatalogue';
import { useSecurityTabLink } from '../../hooks/useSecurityTabLink';
import { daysLeftText } from './CampaignProgressView';

export function EntityCampaigns(props: { compact?: boolean }) {
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const api = useApi(securityGuardrailsApiRef);
  const checks = useCheckCatalogue();
  const checkLink = useSecurityTabLink(entity);
  const data = useBackendData(
    () => api.getEntityCampaigns(entityRef),
    [api, entityRef],
  );
  const items = data.value?.items ?? [];
  if (items.length === 0) return null;
  const title = (id: string) => checks.value?.get(id)?.title ?? id;
  return (
    <Box mt={props.compact ? 1 : 0} data-testid="entity-campaigns">
      <Typography variant="subtitle2">Campaigns</Typography>
      <List dense disablePadding aria-label="Campaigns that apply">
        {items.map(({ campaign, daysLeft, status }) => {
          const left =
            status.failingChecks.length + (status.belowGrade ? 1 : 0);
          return (
            <ListItem key={campaign.id} disableGutters>
              <ListItemText
                primary={`${campaign.name} · ${daysLeftText(daysLeft)}`}
                secondary={
                  status.done ? (
                    'This service meets it.'
                  ) : (
                    <>
                      {props.compact
                        ? `${left} thing${left === 1 ? '' : 's'} left: `
                        : 'Still to do: '}
                      {status.failingChecks.map((id, i) => (
                        <span key={id}>
                          {i > 0 && ', '}
                          {checkLink ? (
                            <Link to={checkLink(id)}>{title(id)}</Link>
                          ) : (
                            title(id)
                          )}
                        </span>
                      ))}
                      {status.belowGrade &&
                        `${
                          status.failingChecks.length ? '; ' : ''
                        }reach grade ${campaign.target.minGrade}`}
                    </>
                  )
                }
              />
            </ListItem>
          );
        })}
      </List>
    </Box>
  );
}
