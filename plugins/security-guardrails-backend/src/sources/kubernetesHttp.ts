/*
 * A small JSON client for the Kubernetes API: client-node's KubeConfig gives
 * the server, TLS and credentials; requests go to the API's real paths and
 * come back as the JSON the server sent (no model classes in between, so live
 * objects look exactly like manifests to the engine).
 */
import http from 'node:http';
import https from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';

export class KubernetesApiError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly reason?: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'KubernetesApiError';
  }
}

export interface KubernetesResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface KubernetesHttpOptions {
  timeoutMs?: number;
  /** Attempts for retryable failures (429, 5xx, timeouts, resets, bad JSON). */
  maxAttempts?: number;
  /** First backoff delay; doubles each attempt. */
  backoffMs?: number;
  /** Upper bound for a server's Retry-After. */
  maxRetryAfterMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>(r => setTimeout(r, ms));

function statusReason(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body);
    return typeof parsed?.reason === 'string' ? parsed.reason : undefined;
  } catch {
    return undefined;
  }
}

function statusMessage(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body);
    return typeof parsed?.message === 'string' ? parsed.message : undefined;
  } catch {
    return undefined;
  }
}

export function isRetryable(e: unknown): boolean {
  if (!(e instanceof KubernetesApiError)) return true; // network-level failures
  if (e.status === undefined) return true;
  return e.status === 429 || e.status >= 500;
}

export class KubernetesHttp {
  readonly #kc: KubeConfig;
  readonly #server: URL;
  readonly #options: Required<Omit<KubernetesHttpOptions, 'sleep'>> & {
    sleep: (ms: number) => Promise<void>;
  };

  constructor(kc: KubeConfig, options: KubernetesHttpOptions = {}) {
    const cluster = kc.getCurrentCluster();
    if (!cluster?.server) {
      throw new Error(
        'the kubeconfig has no current cluster with a server URL',
      );
    }
    this.#kc = kc;
    this.#server = new URL(cluster.server);
    this.#options = {
      timeoutMs: options.timeoutMs ?? 15_000,
      maxAttempts: options.maxAttempts ?? 4,
      backoffMs: options.backoffMs ?? 250,
      maxRetryAfterMs: options.maxRetryAfterMs ?? 30_000,
      sleep: options.sleep ?? defaultSleep,
    };
  }

  /** The cluster's KubeConfig (server, TLS, credentials), for client-node's watches. */
  get kubeConfig(): KubeConfig {
    return this.#kc;
  }

  get server(): string {
    return this.#server.toString();
  }

  /** One request, no retries. Rejects only on transport failures and timeouts. */
  async send(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<KubernetesResponse> {
    const url = new URL(path, this.#server);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const opts: https.RequestOptions = {
      method,
      headers: {
        Accept: 'application/json',
        ...(payload
          ? {
              'Content-Type': 'application/json',
              'Content-Length': Buffer.byteLength(payload),
            }
          : {}),
      },
    };
    await this.#kc.applyToHTTPSOptions(opts);
    const transport = url.protocol === 'http:' ? http : https;
    return new Promise<KubernetesResponse>((resolve, reject) => {
      const req = transport.request(url, opts, res => {
        const chunks: Buffer[] = [];
        res.on('data', c => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
        res.on('aborted', () => reject(new Error('response aborted')));
      });
      req.setTimeout(this.#options.timeoutMs, () => {
        req.destroy(new Error(`timed out after ${this.#options.timeoutMs} ms`));
      });
      req.on('error', reject);
      if (payload) req.write(payload);
      req.end();
    });
  }

  /**
   * A request whose JSON answer is returned; non-2xx answers throw a
   * KubernetesApiError carrying the status and the API's reason.
   */
  async json<T = any>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<T> {
    const res = await this.send(method, path, body);
    if (res.status < 200 || res.status > 299) {
      const retryAfter = Number(res.headers['retry-after']);
      throw new KubernetesApiError(
        `${method} ${path}: ${res.status}${
          statusMessage(res.body) ? ` ${statusMessage(res.body)}` : ''
        }`,
        res.status,
        statusReason(res.body),
        Number.isFinite(retryAfter) ? retryAfter : undefined,
      );
    }
    try {
      return JSON.parse(res.body) as T;
    } catch (e) {
      throw new KubernetesApiError(
        `${method} ${path}: response is not JSON (${(e as Error).message})`,
        undefined,
      );
    }
  }

  /** `json` with retries and backoff for 429 (honouring Retry-After), 5xx and transport failures. */
  async jsonWithRetry<T = any>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<T> {
    let attempt = 0;
    for (;;) {
      attempt++;
      try {
        return await this.json<T>(method, path, body);
      } catch (e) {
        if (!isRetryable(e) || attempt >= this.#options.maxAttempts) throw e;
        let delay = this.#options.backoffMs * 2 ** (attempt - 1);
        if (
          e instanceof KubernetesApiError &&
          e.retryAfterSeconds !== undefined
        ) {
          delay = Math.min(
            e.retryAfterSeconds * 1000,
            this.#options.maxRetryAfterMs,
          );
        }
        await this.#options.sleep(delay);
      }
    }
  }
}
