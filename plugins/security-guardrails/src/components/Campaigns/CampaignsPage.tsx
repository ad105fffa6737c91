/*
 * The Campaigns tab: every campaign with its progress and days left; a
 * campaign opens in place with its teams and what is left, a CSV of it, and
 * for security leads (campaign.manage) start, change and end; leads create
 * them.
 */
import { useState } from 'react';
import {
  Accordion,
  AccordionDetails,
  AccordionSummary,
  Box,
  Button,
  Grid,
  List,
  ListItem,
  ListItemText,
  Typography,
} from '@material-ui/core';
import ExpandMoreIcon from '@material-ui/icons/ExpandMore';
import { EmptyState, InfoCard, Progress } from '@backstage/core-components';
import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  Campaign,
  guardrailsCampaignManagePermission,
} from '@internal/backstage-plugin-security-guardrails-common';
import { securityGuardrailsApiRef } from '../../api';
import { useBackendData } from '../../hooks/useBackendData';
import { BackendError, backendMessage } from '../common/BackendError';
import { When } from '../common/When';
import {
  CampaignProgressView,
  campaignStateText,
  daysLeftText,
  DoneBar,
  progressCsv,
} from './CampaignProgressView';
import { CampaignDialog } from './CampaignDialog';
import { TrendChart } from '../common/TrendChart';
import { EntityLink } from '../access/RequestSummary';

/** Done over time, from two weeks before the start, and who slipped back. */
function Burndown(props: { campaignId: string; version: string }) {
  const api = useApi(securityGuardrailsApiRef);
  const data = useBackendData(
    () => api.getCampaignBurndown(props.campaignId),
    [api, props.campaignId, props.version],
  );
  const b = data.value;
  if (!b) return <BackendError data={data} what="its burn-down" />;
  return (
    <Box mt={2}>
      <Typography variant="subtitle2">Done over time</Typography>
      <TrendChart
        points={b.points.map(p => ({
          date: p.date,
          value: p.services ? (p.done / p.services) * 100 : 0,
        }))}
        max={100}
        unit="%"
        title="Share of services done"
      />
      {b.regressed.length > 0 && (
        <>
          <Typography variant="subtitle2">
            Met it, then slipped back ({b.regressed.length})
          </Typography>
          <List dense aria-label="Regressed after meeting it">
            {b.regressed.map(r => (
              <ListItem key={r.entityRef} disableGutters>
                <ListItemText
                  primary={<EntityLink entityRef={r.entityRef} />}
                  secondary={
                    <>
                      met it on {r.metOn}
                      {r.owner && (
                        <>
                          {' '}
                          · <EntityLink entityRef={r.owner} />
                        </>
                      )}
                    </>
                  }
                />
              </ListItem>
            ))}
          </List>
        </>
      )}
    </Box>
  );
}

function CampaignRow(props: {
  campaign: Campaign;
  canManage: boolean;
  onChanged: () => void;
}) {
  const { campaign: c } = props;
  const api = useApi(securityGuardrailsApiRef);
  const alertApi = useApi(alertApiRef);
  const progress = useBackendData(
    () => api.getCampaignProgress(c.id),
    [api, c.id, c.updatedAt],
  );
  const [editing, setEditing] = useState(false);
  const move = async (state: 'active' | 'ended') => {
    try {
      await api.updateCampaign(c.id, { state });
      props.onChanged();
    } catch (e) {
      alertApi.post({ message: backendMessage(e as Error), severity: 'error' });
    }
  };
  const p = progress.value;
  return (
    <Accordion TransitionProps={{ unmountOnExit: true }}>
      <AccordionSummary
        expandIcon={<ExpandMoreIcon />}
        aria-label={`${c.name}: details`}
      >
        <Grid container spacing={2} alignItems="center">
          <Grid item xs={12} md={5}>
            <Typography variant="subtitle1">{c.name}</Typography>
            <Typography variant="caption" color="textSecondary">
              {campaignStateText(c)} · deadline <When at={c.deadline} />
              {p && c.state === 'active'
                ? ` · ${daysLeftText(p.daysLeft)}`
                : ''}
            </Typography>
          </Grid>
          <Grid item xs={12} md={7}>
            {p ? (
              <DoneBar
                done={p.done}
                services={p.services}
                label={`${c.name} progress`}
              />
            ) : (
              <BackendError data={progress} what="its progress" />
            )}
          </Grid>
        </Grid>
      </AccordionSummary>
      <AccordionDetails style={{ display: 'block' }}>
        {p ? <CampaignProgressView progress={p} /> : <Progress />}
        <Burndown campaignId={c.id} version={c.updatedAt} />
        <Box display="flex" style={{ gap: 8 }} mt={2}>
          <Button
            size="small"
            variant="outlined"
            disabled={!p}
            onClick={() => p && progressCsv(p)}
          >
            Export CSV
          </Button>
          {props.canManage && c.state === 'draft' && (
            <Button
              size="small"
              color="primary"
              variant="contained"
              onClick={() => move('active')}
            >
              Start
            </Button>
          )}
          {props.canManage && c.state !== 'ended' && (
            <Button
              size="small"
              variant="outlined"
              onClick={() => setEditing(true)}
            >
              Change
            </Button>
          )}
          {props.canManage && c.state === 'active' && (
            <Button
              size="small"
              color="secondary"
              onClick={() => move('ended')}
            >
              End now
            </Button>
          )}
        </Box>
        {editing && (
          <CampaignDialog
            campaign={c}
            onClose={() => setEditing(false)}
            onSaved={() => {
              setEditing(false);
              props.onChanged();
            }}
          />
        )}
      </AccordionDetails>
    </Accordion>
  );
}

export function CampaignsPage() {
  const api = useApi(securityGuardrailsApiRef);
  const { allowed: canManage } = usePermission({
    permission: guardrailsCampaignManagePermission,
  });
  const [creating, setCreating] = useState(false);
  const campaigns = useBackendData(() => api.listCampaigns(), [api]);

  if (campaigns.value === undefined) {
    return campaigns.error ? (
      <BackendError data={campaigns} what="the campaigns" />
    ) : (
      <Progress />
    );
  }
  const items = campaigns.value;
  return (
    <InfoCard
      title={`Campaigns (${items.length})`}
      action={
        canManage ? (
          <Box m={1}>
            <Button
              color="primary"
              variant="contained"
              onClick={() => setCreating(true)}
            >
              New campaign
            </Button>
          </Box>
        ) : undefined
      }
    >
      <BackendError data={campaigns} what="the campaigns" />
      {items.length === 0 ? (
        <EmptyState
          missing="data"
          title="No campaign yet"
          description="A campaign sets a target with a deadline (checks that must pass, or a minimum grade) for a set of services; every owning team then sees what is due on its pages."
        />
      ) : (
        items.map(c => (
          <CampaignRow
            key={c.id}
            campaign={c}
            canManage={canManage}
            onChanged={campaigns.retry}
          />
        ))
      )}
      {creating && (
        <CampaignDialog
          onClose={() => setCreating(false)}
          onSaved={() => {
            setCreating(false);
            campaigns.retry();
          }}
        />
      )}
    </InfoCard>
  );
}
