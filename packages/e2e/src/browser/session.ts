/*
 * The browser side of the walk: Debian's Chromium launched headless with the
 * flags this machine's closed network needs, a signed-in page per demo
 * persona, and full-page screenshots into artifacts/browser/.
 */
import { join } from 'node:path';
import { Browser, Page, chromium } from 'playwright-core';

const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export class BrowserSession {
  private constructor(
    private readonly browser: Browser,
    readonly baseUrl: string,
    private readonly artifacts: string,
    private readonly log: (message: string) => void,
  ) {}

  static async launch(options: {
    executablePath: string;
    baseUrl: string;
    artifacts: string;
    log: (message: string) => void;
  }): Promise<BrowserSession> {
    const browser = await chromium.launch({
      executablePath: options.executablePath,
      args: CHROMIUM_FLAGS,
    });
    return new BrowserSession(
      browser,
      options.baseUrl,
      options.artifacts,
      options.log,
    );
  }

  /** A new browser context signed in as the demo persona titled `personaTitle`. */
  async signIn(personaTitle: string): Promise<Page> {
    const context = await this.browser.newContext({
      viewport: { width: 1440, height: 1000 },
    });
    context.setDefaultTimeout(30_000);
    const page = await context.newPage();
    page.on('pageerror', e =>
      this.log(`page error (${personaTitle}): ${e.message}`),
    );
    await page.goto(`${this.baseUrl}/`);
    await page
      .getByRole('button', { name: `Sign in as ${personaTitle}` })
      .click();
    // Signed in: the sidebar is there.
    await page.getByText('Switch user', { exact: true }).waitFor();
    return page;
  }

  async shot(page: Page, name: string): Promise<void> {
    await page.screenshot({
      path: join(this.artifacts, `${name}.png`),
      fullPage: true,
    });
  }

  /** Screenshots of every open page, for a failure's report. */
  async shootAll(prefix: string): Promise<void> {
    for (const context of this.browser.contexts()) {
      for (const [i, page] of context.pages().entries()) {
        await page
          .screenshot({
            path: join(this.artifacts, `${prefix}-${i}.png`),
            fullPage: true,
          })
          .catch(() => undefined);
      }
    }
  }

  close(): Promise<void> {
    return this.browser.close().catch(() => undefined);
  }
}
