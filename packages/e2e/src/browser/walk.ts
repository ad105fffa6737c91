/*
 * What users do in the demo portal, in order, each step one thing a person
 * would check:
 *
 *   1. Dana (developer) opens a demo service: grade, explanation, domains;
 *      the sidebar names who is signed in, and switching user (Pat to
 *      Riley) comes back to the same page.
 *   2. Dana opens the Security tab and a check's remediation document.
 *   3. Dana requests temporary `edit` access with a justification.
 *   4. Sam (security lead) approves it; the RoleBinding file appears in the
 *      demo cluster's grants directory; Dana sees the grant counting down.
 *   5. Sam opens the adoption dashboard, the audit history and a team's card.
 *   6. Sam creates a campaign; Dana sees it due on storefront.
 *
 * Steps share the signed-in pages through the walk's state.
 */
import { readFileSync } from 'node:fs';
import { Page } from 'playwright-core';
import { sleep } from '../harness/util';
import { Portal } from './portal';
import { BrowserSession } from './session';

const SERVICE = '/catalog/default/component/storefront';

export interface WalkContext {
  portal: Portal;
  session: BrowserSession;
  log: (message: string) => void;
  /** Pages signed in by earlier steps, by persona. */
  pages: { dana?: Page; sam?: Page };
}

export interface Step {
  name: string;
  run(context: WalkContext): Promise<void>;
}

function signedIn(page: Page | undefined, who: string): Page {
  if (!page)
    throw new Error(`${who} is not signed in (an earlier step failed)`);
  return page;
}

export const WALK: Step[] = [
  {
    name: 'a developer opens a demo service and sees its grade',
    async run({ portal, session, log, pages }) {
      const dana = await session.signIn('Dana Developer');
      pages.dana = dana;
      await dana.goto(`${portal.baseUrl}${SERVICE}`);
      // The first scheduled evaluation runs a few seconds after start.
      await dana.getByText('Why this grade:').waitFor({ timeout: 120_000 });
      const grade = dana.getByRole('img', { name: /^Grade [A-F]$/ }).first();
      await grade.waitFor();
      log(`storefront: ${await grade.getAttribute('aria-label')}`);
      // The Security card heads the Overview, above the catalog's relation cards.
      const card = await dana
        .getByText('Posture across architecture')
        .boundingBox();
      const relations = await dana
        .getByText('Depends on components')
        .boundingBox();
      if (!card || !relations || card.y > relations.y) {
        throw new Error(
          `the Security card is not at the top of the Overview (card at ${card?.y}, "Depends on components" at ${relations?.y})`,
        );
      }
      await dana
        .getByText(/Evaluated .* from demo/)
        .first()
        .waitFor();
      await session.shot(dana, '01-service-overview');
    },
  },
  {
    name: 'the sidebar says who is signed in, and switching user keeps the page',
    async run({ portal, session }) {
      const page = await session.signIn('Pat Payments');
      try {
        await page.goto(`${portal.baseUrl}${SERVICE}`);
        await page
          .getByRole('link', { name: /^Signed in as Pat Payments/ })
          .waitFor();
        await page.getByText('Switch user', { exact: true }).click();
        await page
          .getByRole('button', { name: 'Sign in as Riley Reviewer' })
          .click();
        await page
          .getByRole('link', { name: /^Signed in as Riley Reviewer/ })
          .waitFor();
        const path = new URL(page.url()).pathname;
        if (path !== SERVICE) {
          throw new Error(
            `after switching user the page is ${path}, not ${SERVICE}`,
          );
        }
        await session.shot(page, '01b-switched-user');
      } finally {
        await page.context().close();
      }
    },
  },
  {
    name: 'the Security tab opens a remediation document in place',
    async run({ portal, session, pages }) {
      const dana = signedIn(pages.dana, 'Dana');
      await dana.goto(`${portal.baseUrl}${SERVICE}/security`);
      await dana.getByText('Security posture', { exact: true }).waitFor();
      const row = dana
        .getByRole('row')
        .filter({ hasText: 'sc.readonly-rootfs' });
      await row.getByRole('button', { name: 'How to fix it' }).click();
      // The check's document opens under the row, with corrected YAML to copy.
      await dana
        .getByRole('heading', { name: 'Root filesystem is read-only' })
        .waitFor();
      await dana.getByText('readOnlyRootFilesystem: true').first().waitFor();
      await session.shot(dana, '02-remediation');
    },
  },
  {
    name: 'the Security tab works at 800 px and with the keyboard',
    async run({ portal, session, pages }) {
      const dana = signedIn(pages.dana, 'Dana');
      await dana.setViewportSize({ width: 800, height: 1000 });
      try {
        await dana.goto(`${portal.baseUrl}${SERVICE}/security`);
        await dana
          .getByText('Show passing and not applicable results')
          .waitFor();
        const overflow = await dana.evaluate(
          () => document.documentElement.scrollWidth - window.innerWidth,
        );
        if (overflow > 1) {
          throw new Error(`at 800 px the page is ${overflow} px too wide`);
        }
        for (const name of ['Refresh', 'Request access']) {
          const box = await dana
            .getByRole('button', { name, exact: true })
            .first()
            .boundingBox();
          if (!box || box.x < 0 || box.x + box.width > 800) {
            throw new Error(
              `"${name}" is out of reach at 800 px: ${JSON.stringify(box)}`,
            );
          }
        }
        // A skip link past the summary and the tables' sort headers.
        const skip = dana.getByRole('link', {
          name: 'Skip to the results by domain',
        });
        await skip.focus();
        await dana.keyboard.press('Enter');
        const focused = await dana.evaluate(() => document.activeElement?.id);
        if (focused !== 'sg-results') {
          throw new Error(`the skip link moved focus to "${focused}"`);
        }
        // The next stop shows a focus ring.
        await dana.keyboard.press('Tab');
        const outline = await dana.evaluate(() => {
          const el = document.activeElement as HTMLElement | null;
          return el ? getComputedStyle(el).outlineStyle : 'none';
        });
        if (outline === 'none') {
          throw new Error('the focused control shows no focus outline');
        }
        await session.shot(dana, '02b-security-tab-800px');
      } finally {
        await dana.setViewportSize({ width: 1440, height: 1000 });
      }
    },
  },
  {
    name: 'the check catalogue is searchable',
    async run({ portal, session, pages }) {
      const dana = signedIn(pages.dana, 'Dana');
      await dana.goto(`${portal.baseUrl}/security/checks`);
      await dana.getByLabel('Search checks').fill('privileged');
      await dana
        .getByText('Containers do not run privileged')
        .first()
        .waitFor();
      await session.shot(dana, '03-check-catalogue');
    },
  },
  {
    name: 'the developer requests temporary edit access',
    async run({ portal, session, pages }) {
      const dana = signedIn(pages.dana, 'Dana');
      await dana.goto(`${portal.baseUrl}${SERVICE}/security`);
      await dana
        .getByRole('button', { name: 'Request access' })
        .first()
        .click();
      const dialog = dana.getByRole('dialog', {
        name: 'Request temporary access',
      });
      await dialog.getByRole('radio', { name: /^edit/ }).check();
      await dialog
        .getByLabel(/Justification/)
        .fill(
          'INC-4211: checkout latency, need to restart the storefront pods',
        );
      await dialog.getByLabel(/Ticket/).fill('INC-4211');
      await dialog.getByText('The RoleBinding that will be applied').waitFor();
      await session.shot(dana, '04-request-dialog');
      await dialog.getByRole('button', { name: 'Request access' }).click();
      await dialog
        .getByText(/approval/i)
        .first()
        .waitFor();
      await session.shot(dana, '05-request-sent');
      if (portal.grantFiles().length !== 0) {
        throw new Error('a RoleBinding exists before anyone approved');
      }
    },
  },
  {
    name: 'a security lead approves it and the RoleBinding is applied',
    async run({ portal, session, log, pages }) {
      const sam = await session.signIn('Sam Security');
      pages.sam = sam;
      await sam.goto(`${portal.baseUrl}/security/approvals`);
      const approve = sam.getByRole('button', {
        name: /^Approve edit in demo: .* for user:default\/dana$/,
      });
      await approve.first().waitFor();
      await session.shot(sam, '06-approvals');
      await approve.first().click();
      // Approved requests leave the queue.
      await approve.first().waitFor({ state: 'detached' });
      const deadline = Date.now() + 60_000;
      while (portal.grantFiles().length === 0 && Date.now() < deadline) {
        await sleep(500);
      }
      const files = portal.grantFiles();
      if (files.length !== 1) {
        throw new Error(`expected one RoleBinding file, found ${files.length}`);
      }
      const binding = readFileSync(files[0], 'utf8');
      for (const expected of [
        'kind: RoleBinding',
        'name: edit',
        'app.kubernetes.io/managed-by: security-guardrails',
        'user:default/dana',
      ]) {
        if (!binding.includes(expected)) {
          throw new Error(`the RoleBinding lacks "${expected}":\n${binding}`);
        }
      }
      log(
        `RoleBinding written: ${files[0].slice(
          portal.grantsDirectory.length + 1,
        )}`,
      );
    },
  },
  {
    name: 'the developer sees the grant counting down',
    async run({ portal, session, pages }) {
      const dana = signedIn(pages.dana, 'Dana');
      await dana.goto(`${portal.baseUrl}/security/access`);
      await dana.getByRole('timer').first().waitFor();
      const left = await dana.getByRole('timer').first().textContent();
      if (!/left$/.test(left ?? '')) throw new Error(`timer shows "${left}"`);
      await session.shot(dana, '07-my-access');
    },
  },
  {
    name: 'the security lead opens the adoption dashboard',
    async run({ portal, session, pages }) {
      const sam = signedIn(pages.sam, 'Sam');
      await sam.goto(`${portal.baseUrl}/security`);
      await sam.getByText('Grade distribution').waitFor();
      await sam.getByText(/Posture by/).waitFor();
      // Teams by their display names, linked to their pages.
      await sam
        .locator('a[href="/catalog/default/group/storefront-team"]')
        .first()
        .waitFor();
      // The page scoped to one lifecycle, from its address.
      await sam.goto(`${portal.baseUrl}/security?lifecycle=deprecated`);
      await sam
        .getByText('Every card counts only these services', { exact: false })
        .waitFor();
      await sam.getByText('1 service', { exact: true }).first().waitFor();
      await session.shot(sam, '08b-dashboard-deprecated');
      await sam.goto(`${portal.baseUrl}/security`);
      await sam.getByText('Grade distribution').waitFor();
      await session.shot(sam, '08-adoption-dashboard');
    },
  },
  {
    name: 'the audit history shows the request, approval and grant',
    async run({ portal, session, pages }) {
      const sam = signedIn(pages.sam, 'Sam');
      await sam.goto(`${portal.baseUrl}/security/audit`);
      for (const event of ['requested', 'approved', 'applied']) {
        await sam
          .getByRole('cell', { name: event, exact: true })
          .first()
          .waitFor();
      }
      await session.shot(sam, '09-audit');
    },
  },
  {
    name: "a team's page shows its rollup",
    async run({ portal, session, pages }) {
      const sam = signedIn(pages.sam, 'Sam');
      await sam.goto(`${portal.baseUrl}/catalog/default/group/storefront-team`);
      await sam.getByText("Security posture of the team's services").waitFor();
      await sam.getByText(/services? · average score/).waitFor();
      await session.shot(sam, '10-group-card');
    },
  },
  {
    name: 'a security lead creates a campaign and the owning developer sees it due on the service',
    async run({ portal, session, pages }) {
      const sam = signedIn(pages.sam, 'Sam');
      await sam.goto(`${portal.baseUrl}/security/campaigns`);
      // The demo's two campaigns are there from the start.
      await sam
        .getByText('No root in production', { exact: true })
        .first()
        .waitFor();
      await sam.getByRole('button', { name: 'New campaign' }).click();
      const dialog = sam.getByRole('dialog');
      await dialog.getByLabel(/^Name/).fill('Read-only root filesystems');
      await dialog.getByLabel('Checks that must pass').fill('sc.readonly');
      await sam.getByRole('option', { name: /sc\.readonly-rootfs/ }).click();
      await dialog.getByRole('button', { name: 'Create' }).click();
      await dialog.waitFor({ state: 'detached' });
      await sam
        .getByText('Read-only root filesystems', { exact: true })
        .waitFor();
      // Changed after it started: a new name, through the backend's PUT.
      await sam
        .getByRole('button', { name: 'Read-only root filesystems: details' })
        .click();
      await sam.getByRole('button', { name: 'Change' }).click();
      const change = sam.getByRole('dialog', {
        name: 'Change Read-only root filesystems',
      });
      await change.getByLabel(/^Name/).fill('Read-only root filesystems, all');
      await change.getByRole('button', { name: 'Save' }).click();
      await change.waitFor({ state: 'detached' });
      await sam
        .getByText('Read-only root filesystems, all', { exact: true })
        .waitFor();
      await session.shot(sam, '11-campaigns');

      const dana = signedIn(pages.dana, 'Dana');
      await dana.goto(`${portal.baseUrl}${SERVICE}`);
      const campaigns = dana.getByRole('list', {
        name: 'Campaigns that apply',
      });
      await campaigns
        .getByText(/^Read-only root filesystems, all · \d+ days left$/)
        .waitFor();
      await session.shot(dana, '12-campaign-on-service');
    },
  },
  {
    name: 'the catalog table shows each service’s security grade',
    async run({ portal, session, pages }) {
      const dana = signedIn(pages.dana, 'Dana');
      await dana.goto(`${portal.baseUrl}/`);
      await dana.getByRole('columnheader', { name: 'Security' }).waitFor();
      const row = dana.getByRole('row', { name: /storefront/i }).first();
      await row.getByRole('img', { name: /^Grade [A-F]$/ }).waitFor();
      await session.shot(dana, '13-catalog-grades');
    },
  },
];
