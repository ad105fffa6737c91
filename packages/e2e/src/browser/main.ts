/*
 * Browser tests: the demo portal in Debian's Chromium, driven by
 * playwright-core. Starts the real backend (`backstage-cli package start`,
 * the same as `./portal start`, see ./portal.ts) serving the built frontend
 * (built when missing, ./bundle.ts), then walks what users do (./walk.ts).
 *
 * Screenshots of every step go to artifacts/browser/. Exit code 1 when any step fails.
 *
 * Environment: CHROMIUM (default /usr/bin/chromium), BROWSER_TEST_PORT (default 7107).
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { fromRoot } from '../harness/root';
import { messageOf } from '../harness/util';
import { ensureBundle } from './bundle';
import { Portal } from './portal';
import { BrowserSession } from './session';
import { WALK, WalkContext } from './walk';

const log = (message: string) => console.log(`[browser] ${message}`);

async function main(): Promise<number> {
  const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    console.error(
      `[browser] Chromium not found at ${executablePath}. Install Debian's chromium ` +
        '(sudo apt-get install -y chromium) or set CHROMIUM to its path.',
    );
    return 1;
  }
  if (!ensureBundle(log)) return 1;

  const artifacts = fromRoot('artifacts', 'browser');
  rmSync(artifacts, { recursive: true, force: true });
  mkdirSync(artifacts, { recursive: true });
  const portal = new Portal(Number(process.env.BROWSER_TEST_PORT ?? 7107));
  process.on('exit', () => portal.stop());
  process.on('SIGINT', () => process.exit(130));
  log(
    `starting the backend on ${portal.baseUrl} (state in ${portal.stateDirectory})`,
  );
  portal.start(log);

  let session: BrowserSession | undefined;
  let passed = 0;
  let failed = false;
  let stepFailed = false;
  try {
    await portal.ready(240_000);
    log('backend is up');
    session = await BrowserSession.launch({
      executablePath,
      baseUrl: portal.baseUrl,
      artifacts,
      log,
    });
    const context: WalkContext = { portal, session, log, pages: {} };
    for (const step of WALK) {
      const start = Date.now();
      try {
        await step.run(context);
      } catch (error) {
        stepFailed = true;
        log(`FAIL  ${step.name}: ${messageOf(error)}`);
        throw error;
      }
      passed++;
      log(`ok    ${step.name} (${((Date.now() - start) / 1000).toFixed(1)} s)`);
    }
  } catch (error) {
    failed = true;
    await session?.shootAll('failure');
    if (!stepFailed) log(`FAIL  ${messageOf(error)}`);
    console.error('[browser] backend log (last lines):');
    console.error(portal.lastOutput(60));
  } finally {
    await session?.close();
    portal.dispose();
  }
  log(
    `${passed} of ${WALK.length} steps passed; screenshots in artifacts/browser/`,
  );
  return failed ? 1 : 0;
}

main().then(
  code => process.exit(code),
  error => {
    log(`FAIL  ${messageOf(error)}`);
    process.exit(1);
  },
);
