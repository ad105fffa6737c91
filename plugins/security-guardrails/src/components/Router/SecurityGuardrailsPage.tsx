import {
  Content,
  Header,
  Page,
  TabbedLayout,
} from '@backstage/core-components';
import { ApprovalsPage } from '../access/ApprovalsPage';
import { AuditPage } from '../access/AuditPage';
import { MyAccessPage } from '../access/MyAccessPage';
import { ChecksPage } from '../ChecksPage/ChecksPage';
import { AdoptionDashboard } from '../Dashboard/AdoptionDashboard';
import { useA11yStyles } from '../common/a11y';
import { CampaignsPage } from '../Campaigns/CampaignsPage';

/** The plugin's page: adoption, the check catalogue, and access. */
export function SecurityGuardrailsPage() {
  const a11y = useA11yStyles();
  return (
    <Page themeId="tool">
      <Header
        title="Security Guardrails"
        subtitle="Posture, remediation and time-limited access"
      />
      <Content noPadding className={a11y.root}>
        <TabbedLayout>
          <TabbedLayout.Route path="/" title="Adoption">
            <AdoptionDashboard />
          </TabbedLayout.Route>
          <TabbedLayout.Route path="/campaigns" title="Campaigns">
            <CampaignsPage />
          </TabbedLayout.Route>
          <TabbedLayout.Route path="/checks" title="Checks">
            <ChecksPage />
          </TabbedLayout.Route>
          <TabbedLayout.Route path="/access" title="My access">
            <MyAccessPage />
          </TabbedLayout.Route>
          <TabbedLayout.Route path="/approvals" title="Approvals">
            <ApprovalsPage />
          </TabbedLayout.Route>
          <TabbedLayout.Route path="/audit" title="Audit">
            <AuditPage />
          </TabbedLayout.Route>
        </TabbedLayout>
      </Content>
    </Page>
  );
}
