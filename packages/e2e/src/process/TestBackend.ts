/*
 * One backend process of a process-test scenario: started over the demo
 * catalog and cluster (plus the generated load users), signed in to through
 * the demo personas provider, driven over HTTP, stopped with a signal, and
 * its log kept in artifacts/process/.
 */
import { ChildProcessWithoutNullStreams } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  demoCatalogLocations,
  demoCluster,
  gradingState,
  signalGroup,
  spawnBackend,
} from '../harness/backend';
import { Failure, check, sleep } from '../harness/util';
import { LOAD_USERS, USERS, writeLoadUsers } from './users';

/** Seconds between expiry sweeps in every scenario. */
export const SWEEP_SECONDS = 5;

/** An answer of the API; network errors and timeouts come back as status 0. */
export interface ApiResult {
  status: number;
  // The bodies are whatever the API answered; scenarios read the fields they check.
  body: any;
  ms: number;
}

export interface TestBackendOptions {
  /** `backend.database` of the process. */
  database: object;
  grantsDirectory: string;
  port?: number;
  /** NODE_ENV=production, as a deployment runs. */
  production?: boolean;
}

export class TestBackend {
  private static nextPort = Number(process.env.PROCESS_TEST_PORT ?? 7210);

  /** A port no backend of this run has taken. */
  static takePort(): number {
    return TestBackend.nextPort++;
  }

  readonly port: number;
  readonly baseUrl: string;
  /** When the process first answered its health check. */
  healthyAt?: number;
  private readonly tokens = new Map<string, string>();
  private readonly logPath: string;
  private readonly log: string[] = [];
  private child?: ChildProcessWithoutNullStreams;
  private exited = false;
  private exitPromise: Promise<void> = Promise.resolve();

  constructor(
    readonly name: string,
    private readonly options: TestBackendOptions,
    private readonly artifacts: string,
  ) {
    this.port = options.port ?? TestBackend.takePort();
    this.baseUrl = `http://localhost:${this.port}`;
    this.logPath = join(artifacts, `${name}.log`);
  }

  start(): this {
    const baseUrl = this.baseUrl;
    const loadUsersFile = join(this.artifacts, 'load-users.yaml');
    const override = {
      app: { baseUrl },
      backend: {
        baseUrl,
        listen: { port: this.port },
        cors: { origin: baseUrl },
        database: this.options.database,
      },
      // Every test user signs in through the demo personas provider.
      demoSignIn: {
        personas: [...USERS, ...LOAD_USERS].map(u => ({
          provider: 'demo',
          userEntityRef: `user:default/${u}`,
          title: u,
          description: u,
        })),
      },
      catalog: { locations: demoCatalogLocations(loadUsersFile) },
      securityGuardrails: {
        clusters: [demoCluster(this.options.grantsDirectory)],
        access: {
          maxActiveGrantsPerUser: 1000,
          sweepFrequency: { seconds: SWEEP_SECONDS },
        },
      },
      // Production mode turns the demo provider off; the test users still need it.
      ...(this.options.production && {
        auth: {
          providers: { demo: { dangerouslyAllowOutsideDevelopment: true } },
        },
      }),
    };
    writeLoadUsers(loadUsersFile);
    this.exited = false;
    this.healthyAt = undefined;
    const child = spawnBackend(
      override,
      join(this.artifacts, `${this.name}.config.yaml`),
      this.options.production ? { NODE_ENV: 'production' } : {},
    );
    this.child = child;
    for (const stream of [child.stdout, child.stderr]) {
      stream.on('data', chunk => this.log.push(String(chunk)));
    }
    this.exitPromise = new Promise(resolveExit =>
      child.on('exit', () => {
        this.exited = true;
        resolveExit();
      }),
    );
    this.tokens.clear();
    return this;
  }

  saveLog(): void {
    writeFileSync(this.logPath, this.log.join(''));
  }

  /**
   * Up, the catalog has the demo users (sign-in resolves through it) and,
   * with `posture`, every demo service is graded (GET /status). Fails at once
   * with the backend's reason when a service waits for something that will
   * not come, and with the last answer when time runs out.
   */
  async ready({ timeoutMs = 240_000, posture = true } = {}): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer';
    while (Date.now() < deadline) {
      if (this.exited) {
        this.saveLog();
        throw new Failure(
          `${this.name} exited during start-up (${this.logPath})`,
        );
      }
      try {
        const res = await fetch(
          `${this.baseUrl}/api/security-guardrails/health`,
        );
        if (res.ok) this.healthyAt ??= Date.now();
        // The catalog has the demo users and the generated ones.
        const signedIn =
          res.ok &&
          (await this.signIn('sam')).ok &&
          (await this.signIn(LOAD_USERS[LOAD_USERS.length - 1])).ok;
        if (signedIn) {
          if (!posture) return;
          const state = await gradingState(
            this.baseUrl,
            await this.token('sam'),
          );
          last = state.last;
          if (state.ready) return;
          if (state.stuck) {
            this.saveLog();
            throw new Failure(`${this.name}: ${state.stuck} (${this.logPath})`);
          }
        }
      } catch (error) {
        if (error instanceof Failure) throw error;
        // not listening yet
      }
      await sleep(500);
    }
    this.saveLog();
    throw new Failure(
      `${this.name} did not grade the demo within ${
        timeoutMs / 1000
      } s; last answer: ${last} (${this.logPath})`,
    );
  }

  /** Stops the whole process group: SIGKILL leaves no chance to clean up. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (!this.child || this.exited) return;
    signalGroup(this.child, signal);
    await Promise.race([this.exitPromise, sleep(15_000)]);
    if (!this.exited) {
      signalGroup(this.child, 'SIGKILL');
      await this.exitPromise;
    }
    this.saveLog();
  }

  alive(): boolean {
    if (this.exited || this.child?.pid === undefined) return false;
    try {
      process.kill(this.child.pid, 0);
      return true;
    } catch {
      return false;
    }
  }

  private signIn(user: string): Promise<Response> {
    return fetch(`${this.baseUrl}/api/auth/demo/refresh`, {
      headers: { 'x-demo-user': `user:default/${user}` },
    });
  }

  async token(user: string): Promise<string> {
    const known = this.tokens.get(user);
    if (known) return known;
    const res = await this.signIn(user);
    const body = await res.json().catch(() => ({}));
    const token: unknown = body?.backstageIdentity?.token;
    check(
      res.ok && typeof token === 'string',
      `${this.name}: no token for ${user} (${res.status} ${JSON.stringify(
        body,
      )})`,
    );
    this.tokens.set(user, token);
    return token;
  }

  /** One API call; network errors and timeouts come back as status 0. */
  async api(
    user: string,
    method: string,
    path: string,
    body?: object,
    timeoutMs = 20_000,
  ): Promise<ApiResult> {
    const started = Date.now();
    try {
      const res = await fetch(
        `${this.baseUrl}/api/security-guardrails${path}`,
        {
          method,
          headers: {
            authorization: `Bearer ${await this.token(user)}`,
            ...(body ? { 'content-type': 'application/json' } : {}),
          },
          body: body ? JSON.stringify(body) : undefined,
          signal: AbortSignal.timeout(timeoutMs),
        },
      );
      const text = await res.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = { raw: text.slice(0, 200) };
      }
      return { status: res.status, body: json, ms: Date.now() - started };
    } catch (error) {
      const cause = (error as { cause?: unknown })?.cause ?? error;
      return {
        status: 0,
        body: { error: { message: String(cause) } },
        ms: Date.now() - started,
      };
    }
  }

  /** An API call that must answer `want`; its body. */
  async ok(
    user: string,
    method: string,
    path: string,
    body?: object,
    want = 200,
  ): Promise<any> {
    const res = await this.api(user, method, path, body);
    check(
      res.status === want,
      `${this.name}: ${method} ${path} as ${user}: ${
        res.status
      } ${JSON.stringify(res.body).slice(0, 300)}`,
    );
    return res.body;
  }
}
