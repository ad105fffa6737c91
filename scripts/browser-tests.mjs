#!/usr/bin/env node
/*
 * Browser tests: the demo portal in Debian's Chromium, driven by playwright-core.
 *
 * Starts the real backend (`backstage-cli package start`, the same as
 * `./portal start`) on a spare port with a throw-away SQLite directory and grants
 * directory, serving the built frontend (packages/app/dist, built when missing)
 * through the app backend. Then walks what users do:
 *
 *   1. Dana (developer) opens a demo service: grade, explanation, domains.
 *   2. Dana opens the Security tab and a check's remediation document.
 *   3. Dana requests temporary `edit` access with a justification.
 *   4. Sam (security lead) approves it; the RoleBinding file appears in the
 *      demo cluster's grants directory; Dana sees the grant counting down.
 *   5. Sam opens the adoption dashboard, the audit history and a team's card.
 *
 * Screenshots of every step go to artifacts/browser/. Exit code 1 when any step fails.
 *
 * Environment: CHROMIUM (default /usr/bin/chromium), BROWSER_TEST_PORT (default 7107).
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { gradingState, spawnBackend } from './backend-process.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const port = Number(process.env.BROWSER_TEST_PORT ?? 7107);
const baseUrl = `http://localhost:${port}`;
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const artifacts = join(root, 'artifacts', 'browser');
const SERVICE = '/catalog/default/component/storefront';

function log(message) {
  console.log(`[browser] ${message}`);
}

if (!existsSync(executablePath)) {
  console.error(
    `[browser] Chromium not found at ${executablePath}. Install Debian's chromium ` +
      '(sudo apt-get install -y chromium) or set CHROMIUM to its path.',
  );
  process.exit(1);
}

// --- the frontend bundle served by the backend -------------------------------
function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}
const bundle = join(root, 'packages/app/dist/index.html');
const sourcesChanged =
  existsSync(bundle) &&
  Math.max(
    ...[
      'packages/app/src',
      'plugins/security-guardrails/src',
      'plugins/security-guardrails-common/src',
    ].map(dir => newestSource(join(root, dir))),
  ) > statSync(bundle).mtimeMs;
if (!existsSync(bundle) || sourcesChanged) {
  log(
    `building the frontend (packages/app/dist is ${
      sourcesChanged ? 'older than its sources' : 'missing'
    })`,
  );
  const build = spawnSync('yarn', ['workspace', 'app', 'build'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

// --- a hermetic backend ------------------------------------------------------
const work = mkdtempSync(join(tmpdir(), 'guardrails-browser-'));
const grantsDirectory = join(work, 'grants', 'demo');
const override = {
  app: { baseUrl },
  backend: {
    baseUrl,
    listen: { port },
    cors: { origin: baseUrl },
    database: {
      client: 'better-sqlite3',
      connection: { directory: join(work, 'sqlite') },
    },
  },
  securityGuardrails: {
    clusters: [
      {
        name: 'demo',
        type: 'manifests',
        paths: [join(root, 'examples/cluster/demo')],
        grantsDirectory,
      },
    ],
  },
};
const overridePath = join(work, 'app-config.browser.yaml');

rmSync(artifacts, { recursive: true, force: true });
mkdirSync(artifacts, { recursive: true });
const backendLog = [];
log(`starting the backend on ${baseUrl} (state in ${work})`);
const backend = spawnBackend(root, override, overridePath);
for (const stream of [backend.stdout, backend.stderr]) {
  stream.on('data', chunk => {
    backendLog.push(String(chunk));
    if (backendLog.length > 2000) backendLog.splice(0, 1000);
  });
}
let backendExited = false;
backend.on('exit', code => {
  backendExited = true;
  log(`backend exited with ${code}`);
});

function stopBackend() {
  if (!backendExited) {
    try {
      process.kill(-backend.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
}
process.on('exit', stopBackend);
process.on('SIGINT', () => process.exit(130));

/**
 * Up, serving the app, and every demo service graded (GET /status as a
 * security lead): the walk starts from a state it can rely on. Fails at once
 * with the backend's reason when a service waits for something that will not
 * come, and with the last answer when time runs out.
 */
async function waitForBackend(timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (backendExited) throw new Error('the backend exited during start-up');
    try {
      const [health, app] = await Promise.all([
        fetch(`${baseUrl}/api/security-guardrails/health`),
        fetch(`${baseUrl}/`),
      ]);
      const identity = health.ok
        ? await fetch(`${baseUrl}/api/auth/demo/refresh`, {
            headers: { 'x-demo-user': 'user:default/sam' },
          }).then(r => (r.ok ? r.json() : undefined))
        : undefined;
      const token = identity?.backstageIdentity?.token;
      if (token && app.ok) {
        const state = await gradingState(baseUrl, token);
        last = state.last;
        if (state.ready) return;
        if (state.stuck) throw new Error(state.stuck);
      }
    } catch (error) {
      if (error.message?.includes('will not be graded')) throw error;
      // not listening yet
    }
    await new Promise(r => setTimeout(r, 1000));
  }
  throw new Error(
    `the backend did not grade the demo within ${
      timeoutMs / 1000
    } s; last answer: ${last}`,
  );
}

// --- the steps -----------------------------------------------------------------
const results = [];
let browser;

async function step(name, fn) {
  const start = Date.now();
  try {
    await fn();
    results.push({ name, ok: true, ms: Date.now() - start });
    log(`ok    ${name} (${((Date.now() - start) / 1000).toFixed(1)} s)`);
  } catch (error) {
    results.push({ name, ok: false, ms: Date.now() - start, error });
    log(`FAIL  ${name}: ${error.message}`);
    throw error;
  }
}

async function signIn(personaTitle) {
  const context = await browser.newContext({
    viewport: { width: 1440, height: 1000 },
  });
  context.setDefaultTimeout(30_000);
  const page = await context.newPage();
  page.on('pageerror', e => log(`page error (${personaTitle}): ${e.message}`));
  await page.goto(`${baseUrl}/`);
  await page
    .getByRole('button', { name: `Sign in as ${personaTitle}` })
    .click();
  // Signed in: the sidebar is there.
  await page.getByText('Switch demo user').waitFor();
  return page;
}

async function shot(page, name) {
  await page.screenshot({
    path: join(artifacts, `${name}.png`),
    fullPage: true,
  });
}

function grantFiles() {
  const found = [];
  const walk = dir => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.yaml')) found.push(path);
    }
  };
  walk(grantsDirectory);
  return found;
}

let failed = false;
try {
  await waitForBackend(240_000);
  log('backend is up');
  browser = await chromium.launch({
    executablePath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });

  let dana;
  let sam;

  await step(
    'a developer opens a demo service and sees its grade',
    async () => {
      dana = await signIn('Dana Developer');
      await dana.goto(`${baseUrl}${SERVICE}`);
      // The first scheduled evaluation runs a few seconds after start.
      await dana.getByText('Why this grade:').waitFor({ timeout: 120_000 });
      const grade = dana.getByRole('img', { name: /^Grade [A-F]$/ }).first();
      await grade.waitFor();
      log(`storefront: ${await grade.getAttribute('aria-label')}`);
      await dana
        .getByText(/Evaluated .* from demo/)
        .first()
        .waitFor();
      await shot(dana, '01-service-overview');
    },
  );

  await step(
    'the Security tab opens a remediation document in place',
    async () => {
      await dana.goto(`${baseUrl}${SERVICE}/security`);
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
      await shot(dana, '02-remediation');
    },
  );

  await step('the check catalogue is searchable', async () => {
    await dana.goto(`${baseUrl}/security/checks`);
    await dana.getByLabel('Search checks').fill('privileged');
    await dana.getByText('Containers do not run privileged').first().waitFor();
    await shot(dana, '03-check-catalogue');
  });

  await step('the developer requests temporary edit access', async () => {
    await dana.goto(`${baseUrl}${SERVICE}/security`);
    await dana.getByRole('button', { name: 'Request access' }).first().click();
    const dialog = dana.getByRole('dialog', {
      name: 'Request temporary access',
    });
    await dialog.getByRole('radio', { name: /^edit/ }).check();
    await dialog
      .getByLabel(/Justification/)
      .fill('INC-4211: checkout latency, need to restart the storefront pods');
    await dialog.getByLabel(/Ticket/).fill('INC-4211');
    await dialog.getByText('The RoleBinding that will be applied').waitFor();
    await shot(dana, '04-request-dialog');
    await dialog.getByRole('button', { name: 'Request access' }).click();
    await dialog
      .getByText(/approval/i)
      .first()
      .waitFor();
    await shot(dana, '05-request-sent');
    if (grantFiles().length !== 0) {
      throw new Error('a RoleBinding exists before anyone approved');
    }
  });

  await step(
    'a security lead approves it and the RoleBinding is applied',
    async () => {
      sam = await signIn('Sam Security');
      await sam.goto(`${baseUrl}/security/approvals`);
      const approve = sam.getByRole('button', {
        name: /^Approve edit in demo: .* for user:default\/dana$/,
      });
      await approve.first().waitFor();
      await shot(sam, '06-approvals');
      await approve.first().click();
      // Approved requests leave the queue.
      await approve.first().waitFor({ state: 'detached' });
      const deadline = Date.now() + 60_000;
      while (grantFiles().length === 0 && Date.now() < deadline) {
        await new Promise(r => setTimeout(r, 500));
      }
      const files = grantFiles();
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
      log(`RoleBinding written: ${files[0].slice(grantsDirectory.length + 1)}`);
    },
  );

  await step('the developer sees the grant counting down', async () => {
    await dana.goto(`${baseUrl}/security/access`);
    await dana.getByRole('timer').first().waitFor();
    const left = await dana.getByRole('timer').first().textContent();
    if (!/left$/.test(left ?? '')) throw new Error(`timer shows "${left}"`);
    await shot(dana, '07-my-access');
  });

  await step('the security lead opens the adoption dashboard', async () => {
    await sam.goto(`${baseUrl}/security`);
    await sam.getByText('Grade distribution').waitFor();
    await sam.getByText(/Posture by/).waitFor();
    await sam.getByText('storefront-team').first().waitFor();
    await shot(sam, '08-adoption-dashboard');
  });

  await step(
    'the audit history shows the request, approval and grant',
    async () => {
      await sam.goto(`${baseUrl}/security/audit`);
      for (const event of ['requested', 'approved', 'applied']) {
        await sam
          .getByRole('cell', { name: event, exact: true })
          .first()
          .waitFor();
      }
      await shot(sam, '09-audit');
    },
  );

  await step("a team's page shows its rollup", async () => {
    await sam.goto(`${baseUrl}/catalog/default/group/storefront-team`);
    await sam.getByText("Security posture of the team's services").waitFor();
    await sam.getByText(/services? · average score/).waitFor();
    await shot(sam, '10-group-card');
  });
} catch (error) {
  failed = true;
  if (browser) {
    for (const context of browser.contexts()) {
      for (const [i, page] of context.pages().entries()) {
        await page
          .screenshot({
            path: join(artifacts, `failure-${i}.png`),
            fullPage: true,
          })
          .catch(() => {});
      }
    }
  }
  if (!results.some(r => !r.ok)) log(`FAIL  ${error.message}`);
  console.error('[browser] backend log (last lines):');
  console.error(backendLog.join('').split('\n').slice(-60).join('\n'));
} finally {
  await browser?.close().catch(() => {});
  stopBackend();
  rmSync(work, { recursive: true, force: true });
}

const passed = results.filter(r => r.ok).length;
log(
  `${passed} of ${results.length} steps passed; screenshots in artifacts/browser/`,
);
process.exit(failed ? 1 : 0);
