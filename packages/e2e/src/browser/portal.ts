/*
 * A hermetic portal for the browser walk: the real backend on a spare port,
 * with a throw-away SQLite directory and grants directory, serving the built
 * frontend through the app backend.
 */
import { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  demoCluster,
  demoToken,
  gradingState,
  signalGroup,
  spawnBackend,
} from '../harness/backend';
import { sleep, yamlFilesUnder } from '../harness/util';

export class Portal {
  readonly baseUrl: string;
  /** The demo cluster's grants directory: where approved RoleBindings are written. */
  readonly grantsDirectory: string;
  private readonly work: string;
  private readonly output: string[] = [];
  private child?: ChildProcessWithoutNullStreams;
  private exited = false;

  constructor(private readonly port: number) {
    this.baseUrl = `http://localhost:${port}`;
    this.work = mkdtempSync(join(tmpdir(), 'guardrails-browser-'));
    this.grantsDirectory = join(this.work, 'grants', 'demo');
  }

  get stateDirectory(): string {
    return this.work;
  }

  start(log: (message: string) => void): void {
    const baseUrl = this.baseUrl;
    const child = spawnBackend(
      {
        app: { baseUrl },
        backend: {
          baseUrl,
          listen: { port: this.port },
          cors: { origin: baseUrl },
          database: {
            client: 'better-sqlite3',
            connection: { directory: join(this.work, 'sqlite') },
          },
        },
        securityGuardrails: { clusters: [demoCluster(this.grantsDirectory)] },
      },
      join(this.work, 'app-config.browser.yaml'),
    );
    this.child = child;
    for (const stream of [child.stdout, child.stderr]) {
      stream.on('data', chunk => {
        this.output.push(String(chunk));
        if (this.output.length > 2000) this.output.splice(0, 1000);
      });
    }
    child.on('exit', code => {
      this.exited = true;
      log(`backend exited with ${code}`);
    });
  }

  /**
   * Up, serving the app, and every demo service graded (GET /status as a
   * security lead): the walk starts from a state it can rely on. Fails at
   * once with the backend's reason when a service waits for something that
   * will not come, and with the last answer when time runs out.
   */
  async ready(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer';
    while (Date.now() < deadline) {
      if (this.exited) throw new Error('the backend exited during start-up');
      let stuck: string | undefined;
      try {
        const [health, app] = await Promise.all([
          fetch(`${this.baseUrl}/api/security-guardrails/health`),
          fetch(`${this.baseUrl}/`),
        ]);
        const token = health.ok
          ? await demoToken(this.baseUrl, 'sam')
          : undefined;
        if (token && app.ok) {
          const state = await gradingState(this.baseUrl, token);
          last = state.last;
          if (state.ready) return;
          stuck = state.stuck;
        }
      } catch {
        // not listening yet
      }
      if (stuck) throw new Error(stuck);
      await sleep(1000);
    }
    throw new Error(
      `the backend did not grade the demo within ${
        timeoutMs / 1000
      } s; last answer: ${last}`,
    );
  }

  /** RoleBinding files the demo cluster holds, as full paths. */
  grantFiles(): string[] {
    return yamlFilesUnder(this.grantsDirectory);
  }

  /** The backend's last output lines. */
  lastOutput(lines: number): string {
    return this.output.join('').split('\n').slice(-lines).join('\n');
  }

  stop(): void {
    if (this.child && !this.exited) signalGroup(this.child, 'SIGTERM');
  }

  /** Stops the backend and removes its state. */
  dispose(): void {
    this.stop();
    rmSync(this.work, { recursive: true, force: true });
  }
}
