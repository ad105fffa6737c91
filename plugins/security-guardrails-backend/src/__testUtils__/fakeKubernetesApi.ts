/*
 * An in-process HTTP server that speaks the Kubernetes API paths and status
 * codes the backend uses: lists across namespaces with limit/continue (and 410
 * Gone for expired continue tokens), label selectors, and RoleBinding create
 * (201/409), get (200/404) and delete with UID preconditions (200/404/409),
 * and watches from a resourceVersion (fakeWatch.ts).
 * Faults can be injected per request. Loopback only.
 *
 * Over 400 lines: a test server of the Kubernetes API's real paths, lists, watches and status codes.
 */
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { KubeObject } from '../engine';
import { KINDS } from '../sources/KubernetesSource';
import { FakeWatchHub } from './fakeWatch';

export type Fault =
  | { status: number; body?: unknown; headers?: Record<string, string> }
  | { delayMs: number }
  | { truncate: true }
  | { reset: true }
  | { expireContinue: true };

export interface FaultRule {
  /** Matches the request path (without query). */
  path: RegExp;
  method?: string;
  /** Only watch requests (true) or only others (false); both when unset. */
  watch?: boolean;
  fault: Fault;
  /** How many requests it applies to (default: all). */
  times?: number;
}

export interface RequestRecord {
  method: string;
  path: string;
  query: Record<string, string>;
}

interface Resource {
  kind: string;
  apiVersion: string;
  plural: string;
  namespaced: boolean;
}

const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'ClusterPolicyReport',
]);

function status(code: number, reason: string, message: string) {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
  };
}

function labelSelectorMatches(
  selector: string | undefined,
  labels: Record<string, string> | undefined,
) {
  if (!selector) return true;
  return selector.split(',').every(req => {
    const [k, v] = req.split('=');
    return labels?.[k.trim()] === v?.trim();
  });
}

export class FakeKubernetesApi {
  readonly requests: RequestRecord[] = [];
  #server?: http.Server;
  #objects = new Map<string, KubeObject[]>();
  #faults: Array<FaultRule & { used: number }> = [];
  #epoch = 1;
  #resourceVersion = 1000;
  readonly #resources: Resource[];
  readonly #token?: string;

  readonly #keepAlive: boolean;
  /** Watch streams and the change log they replay (see fakeWatch.ts). */
  readonly watches = new FakeWatchHub();

  constructor(
    options: {
      objects?: KubeObject[];
      token?: string;
      /** Keep connections open between requests, as API servers do (off by default: fault tests reset connections). */
      keepAlive?: boolean;
    } = {},
  ) {
    this.#keepAlive = options.keepAlive ?? false;
    this.#resources = KINDS.map(k => ({
      kind: k.kind,
      apiVersion: k.apiVersion,
      plural: k.plural,
      namespaced: !CLUSTER_SCOPED.has(k.kind),
    }));
    // Kinds the backend must never read exist here too, to prove it does not.
    this.#resources.push({
      kind: 'Secret',
      apiVersion: 'v1',
      plural: 'secrets',
      namespaced: true,
    });
    this.#token = options.token;
    for (const o of options.objects ?? []) this.add(o);
  }

  get url(): string {
    const address = this.#server?.address() as AddressInfo | undefined;
    if (!address) throw new Error('not started');
    return `http://127.0.0.1:${address.port}`;
  }

  async start(): Promise<this> {
    this.#server = http.createServer((req, res) => {
      this.#handle(req, res).catch(e => {
        res.statusCode = 500;
        res.end(JSON.stringify(status(500, 'InternalError', String(e))));
      });
    });
    // Keep-alive off unless asked for: fault tests reset connections.
    if (!this.#keepAlive) this.#server.keepAliveTimeout = 1;
    await new Promise<void>(resolve =>
      this.#server!.listen(0, '127.0.0.1', resolve),
    );
    return this;
  }

  async stop(): Promise<void> {
    if (!this.#server) return;
    this.watches.closeAll();
    this.#server.closeAllConnections?.();
    await new Promise<void>(resolve => this.#server!.close(() => resolve()));
    this.#server = undefined;
  }

  add(obj: KubeObject): KubeObject {
    const key = `${obj.apiVersion}|${obj.kind}`;
    const stored = {
      ...obj,
      metadata: {
        ...obj.metadata,
        uid: obj.metadata.uid ?? randomUUID(),
        resourceVersion: String(++this.#resourceVersion),
      },
    } as KubeObject;
    const list = this.#objects.get(key) ?? [];
    list.push(stored);
    this.#objects.set(key, list);
    this.watches.record(key, 'ADDED', stored);
    return stored;
  }

  /** Replaces an object of the same kind, namespace and name, as `kubectl apply` would. */
  update(obj: KubeObject): KubeObject {
    const key = `${obj.apiVersion}|${obj.kind}`;
    const list = this.#objects.get(key) ?? [];
    const i = list.findIndex(
      o =>
        o.metadata.name === obj.metadata.name &&
        o.metadata.namespace === obj.metadata.namespace,
    );
    if (i < 0) return this.add(obj);
    list[i] = {
      ...obj,
      metadata: {
        ...obj.metadata,
        uid: list[i].metadata.uid,
        resourceVersion: String(++this.#resourceVersion),
      },
    } as KubeObject;
    this.watches.record(key, 'MODIFIED', list[i]);
    return list[i];
  }

  /** The latest resourceVersion. */
  get resourceVersion(): number {
    return this.#resourceVersion;
  }

  #deleted(key: string, obj: KubeObject) {
    this.watches.record(key, 'DELETED', {
      ...obj,
      metadata: {
        ...obj.metadata,
        resourceVersion: String(++this.#resourceVersion),
      },
    } as KubeObject);
  }

  /** Objects of a kind currently stored. */
  list(kind: string): KubeObject[] {
    return [...this.#objects.entries()]
      .filter(([k]) => k.endsWith(`|${kind}`))
      .flatMap(([, v]) => v);
  }

  /** Removes an object, as someone else would (kubectl delete). */
  remove(
    kind: string,
    namespace: string | undefined,
    name: string,
  ): KubeObject | undefined {
    for (const [key, list] of this.#objects) {
      if (!key.endsWith(`|${kind}`)) continue;
      const i = list.findIndex(
        o => o.metadata.name === name && o.metadata.namespace === namespace,
      );
      if (i >= 0) {
        const [removed] = list.splice(i, 1);
        this.#deleted(key, removed);
        return removed;
      }
    }
    return undefined;
  }

  /** Injects a fault for matching requests. */
  fault(rule: FaultRule) {
    this.#faults.push({ ...rule, used: 0 });
  }

  clearFaults() {
    this.#faults = [];
  }

  /** Makes every outstanding continue token expire (as after compaction). */
  expireContinueTokens() {
    this.#epoch++;
  }

  #resourceFor(
    pathname: string,
  ): { resource: Resource; namespace?: string; name?: string } | undefined {
    const parts = pathname.split('/').filter(Boolean);
    let apiVersion: string;
    let rest: string[];
    if (parts[0] === 'api' && parts[1] === 'v1') {
      apiVersion = 'v1';
      rest = parts.slice(2);
    } else if (parts[0] === 'apis' && parts.length >= 4) {
      apiVersion = `${parts[1]}/${parts[2]}`;
      rest = parts.slice(3);
    } else {
      return undefined;
    }
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    const resource = this.#resources.find(
      r => r.apiVersion === apiVersion && r.plural === rest[0],
    );
    if (!resource) return undefined;
    return { resource, namespace, name: rest[1] };
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const query = Object.fromEntries(url.searchParams.entries());
    this.requests.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      query,
    });
    const body = await new Promise<string>(resolve => {
      const chunks: Buffer[] = [];
      req.on('data', c => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    });
    const send = (
      code: number,
      payload: unknown,
      headers: Record<string, string> = {},
    ) => {
      res.writeHead(code, { 'Content-Type': 'application/json', ...headers });
      res.end(JSON.stringify(payload));
    };

    const rule = this.#faults.find(
      f =>
        f.path.test(url.pathname) &&
        (!f.method || f.method === req.method) &&
        (f.watch === undefined ||
          f.watch === (query.watch === 'true' || query.watch === '1')) &&
        (f.times === undefined || f.used < f.times),
    );
    if (rule) {
      rule.used++;
      const fault = rule.fault;
      if ('delayMs' in fault) {
        await new Promise(r => setTimeout(r, fault.delayMs));
      } else if ('reset' in fault) {
        req.socket.destroy();
        return;
      } else if ('truncate' in fault) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end('{"kind":"List","items":[{"metadata":');
        return;
      } else if ('expireContinue' in fault) {
        if (query.continue) {
          send(
            410,
            status(
              410,
              'Expired',
              'The provided continue parameter is too old to display a consistent list result.',
            ),
          );
          return;
        }
      } else {
        send(
          fault.status,
          fault.body ??
            status(fault.status, 'InjectedFault', `injected ${fault.status}`),
          fault.headers,
        );
        return;
      }
    }

    if (this.#token && req.headers.authorization !== `Bearer ${this.#token}`) {
      send(401, status(401, 'Unauthorized', 'Unauthorized'));
      return;
    }

    const target = this.#resourceFor(url.pathname);
    if (!target) {
      send(
        404,
        status(
          404,
          'NotFound',
          `the server could not find the requested resource (${url.pathname})`,
        ),
      );
      return;
    }
    const { resource, namespace, name } = target;
    const key = `${resource.apiVersion}|${resource.kind}`;
    const all = this.#objects.get(key) ?? [];

    if (
      req.method === 'GET' &&
      !name &&
      (query.watch === 'true' || query.watch === '1')
    ) {
      this.watches.serve(req, res, {
        key,
        kind: resource.kind,
        apiVersion: resource.apiVersion,
        namespace,
        query,
        current: all,
      });
      return;
    }

    if (req.method === 'GET' && !name) {
      const filtered = all.filter(
        o =>
          (!namespace || o.metadata.namespace === namespace) &&
          labelSelectorMatches(query.labelSelector, o.metadata.labels),
      );
      let offset = 0;
      if (query.continue) {
        const [epoch, start] = Buffer.from(query.continue, 'base64')
          .toString('utf8')
          .split(':')
          .map(Number);
        if (epoch !== this.#epoch) {
          send(
            410,
            status(
              410,
              'Expired',
              'The provided continue parameter is too old to display a consistent list result.',
            ),
          );
          return;
        }
        offset = start;
      }
      const limit = query.limit ? Number(query.limit) : filtered.length;
      const page = filtered.slice(offset, offset + limit);
      const next =
        offset + limit < filtered.length
          ? Buffer.from(`${this.#epoch}:${offset + limit}`).toString('base64')
          : undefined;
      send(200, {
        kind: `${resource.kind}List`,
        apiVersion: resource.apiVersion,
        metadata: {
          resourceVersion: String(this.#resourceVersion),
          ...(next
            ? {
                continue: next,
                remainingItemCount: filtered.length - offset - limit,
              }
            : {}),
        },
        // List items carry no kind/apiVersion, as on a real API server.
        items: page.map(({ kind: _k, apiVersion: _a, ...rest }) => rest),
      });
      return;
    }

    const findIndex = () =>
      all.findIndex(
        o =>
          o.metadata.name === name &&
          (!resource.namespaced || o.metadata.namespace === namespace),
      );

    if (req.method === 'GET' && name) {
      const i = findIndex();
      if (i < 0) {
        send(
          404,
          status(404, 'NotFound', `${resource.plural} "${name}" not found`),
        );
        return;
      }
      send(200, all[i]);
      return;
    }

    if (req.method === 'POST' && !name) {
      let obj: KubeObject;
      try {
        obj = JSON.parse(body);
      } catch {
        send(400, status(400, 'BadRequest', 'invalid JSON'));
        return;
      }
      const exists = all.some(
        o =>
          o.metadata.name === obj.metadata?.name &&
          o.metadata.namespace === namespace,
      );
      if (exists) {
        send(
          409,
          status(
            409,
            'AlreadyExists',
            `${resource.plural} "${obj.metadata.name}" already exists`,
          ),
        );
        return;
      }
      const stored = this.add({
        ...obj,
        kind: resource.kind,
        apiVersion: resource.apiVersion,
        metadata: { ...obj.metadata, namespace },
      });
      send(201, stored);
      return;
    }

    if (req.method === 'PUT' && name) {
      const i = findIndex();
      if (i < 0) {
        send(
          404,
          status(404, 'NotFound', `${resource.plural} "${name}" not found`),
        );
        return;
      }
      let obj: KubeObject;
      try {
        obj = JSON.parse(body);
      } catch {
        send(400, status(400, 'BadRequest', 'invalid JSON'));
        return;
      }
      const rv = (obj.metadata as { resourceVersion?: string })
        ?.resourceVersion;
      const current = all[i].metadata as {
        resourceVersion?: string;
        uid?: string;
      };
      if (rv && rv !== current.resourceVersion) {
        send(
          409,
          status(
            409,
            'Conflict',
            `the object has been modified; please apply your changes to the latest version`,
          ),
        );
        return;
      }
      all[i] = {
        ...obj,
        kind: resource.kind,
        apiVersion: resource.apiVersion,
        metadata: {
          ...obj.metadata,
          namespace,
          uid: current.uid,
          resourceVersion: String(++this.#resourceVersion),
        },
      } as KubeObject;
      this.watches.record(key, 'MODIFIED', all[i]);
      send(200, all[i]);
      return;
    }

    if (req.method === 'DELETE' && name) {
      const i = findIndex();
      if (i < 0) {
        send(
          404,
          status(404, 'NotFound', `${resource.plural} "${name}" not found`),
        );
        return;
      }
      let options: { preconditions?: { uid?: string } } = {};
      try {
        options = body ? JSON.parse(body) : {};
      } catch {
        send(400, status(400, 'BadRequest', 'invalid JSON'));
        return;
      }
      const uid = options.preconditions?.uid;
      if (uid && all[i].metadata.uid !== uid) {
        send(
          409,
          status(
            409,
            'Conflict',
            `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${all[i].metadata.uid}`,
          ),
        );
        return;
      }
      const [removed] = all.splice(i, 1);
      this.#deleted(key, removed);
      send(200, {
        kind: 'Status',
        apiVersion: 'v1',
        status: 'Success',
        details: { name: removed.metadata.name, uid: removed.metadata.uid },
      });
      return;
    }

    send(
      405,
      status(405, 'MethodNotAllowed', `${req.method} is not supported here`),
    );
  }
}
