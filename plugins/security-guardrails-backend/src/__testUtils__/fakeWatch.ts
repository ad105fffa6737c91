/*
 * The watch half of the fake Kubernetes API: a log of change events by
 * resourceVersion, and open watch streams that receive them as the API
 * server sends them (one JSON event per line). What a real server does that
 * the backend relies on: replay from a resourceVersion, `410 Expired` as an
 * ERROR event once that version is compacted away, BOOKMARK events only for
 * watches that allow them, and the stream ending at `timeoutSeconds` or when
 * the server closes it.
 */
import http from 'node:http';
import { KubeObject } from '../engine';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

interface LoggedEvent {
  rv: number;
  /** apiVersion|kind */
  key: string;
  type: WatchEventType;
  object: KubeObject;
}

interface OpenWatch {
  key: string;
  namespace?: string;
  bookmarks: boolean;
  apiVersion: string;
  kind: string;
  res: http.ServerResponse;
}

function rvOf(obj: KubeObject): string {
  return (obj.metadata as { resourceVersion?: string }).resourceVersion ?? '0';
}

export class FakeWatchHub {
  readonly #events: LoggedEvent[] = [];
  /** Events up to this version are gone (etcd compaction). */
  #compactedThrough = 0;
  readonly #open = new Set<OpenWatch>();
  /** Every watch request answered, in order (for assertions). */
  readonly served: Array<{ key: string; resourceVersion?: string }> = [];

  /** Watch streams open now. */
  get open(): number {
    return this.#open.size;
  }

  record(key: string, type: WatchEventType, object: KubeObject) {
    const event = { rv: Number(rvOf(object)), key, type, object };
    this.#events.push(event);
    for (const w of this.#open) {
      if (w.key === key && this.#inNamespace(w, object)) this.#send(w, event);
    }
  }

  /** Forgets every event up to `rv`: watches from older versions get 410. */
  compact(rv: number) {
    this.#compactedThrough = rv;
    let drop = 0;
    while (drop < this.#events.length && this.#events[drop].rv <= rv) drop++;
    this.#events.splice(0, drop);
  }

  /** Sends a BOOKMARK at `rv` to each watch that allows bookmarks. */
  bookmark(rv: number) {
    for (const w of this.#open) {
      if (!w.bookmarks) continue;
      this.#write(w, {
        type: 'BOOKMARK',
        object: {
          kind: w.kind,
          apiVersion: w.apiVersion,
          metadata: { resourceVersion: String(rv) },
        },
      });
    }
  }

  /** Ends every open watch, as an API server does at its timeout or on restart. */
  closeAll() {
    for (const w of this.#open) w.res.end();
    this.#open.clear();
  }

  /** Answers a watch request (`?watch=true`) for one resource. */
  serve(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    target: {
      key: string;
      kind: string;
      apiVersion: string;
      namespace?: string;
      query: Record<string, string>;
      current: KubeObject[];
    },
  ) {
    const { query } = target;
    const from = query.resourceVersion;
    this.served.push({ key: target.key, resourceVersion: from });
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Transfer-Encoding': 'chunked',
    });
    res.flushHeaders(); // as an API server does: the client sees the watch open at once
    const w: OpenWatch = {
      key: target.key,
      namespace: target.namespace,
      bookmarks: query.allowWatchBookmarks === 'true',
      kind: target.kind,
      apiVersion: target.apiVersion,
      res,
    };
    if (from && from !== '0' && Number(from) < this.#compactedThrough) {
      this.#write(w, {
        type: 'ERROR',
        object: {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: `too old resource version: ${from} (${
            this.#compactedThrough
          })`,
          reason: 'Expired',
          code: 410,
        },
      });
      res.end();
      return;
    }
    if (!from || from === '0') {
      // No version: the current state as ADDED events, then changes.
      for (const object of target.current) {
        if (this.#inNamespace(w, object))
          this.#send(w, { type: 'ADDED', object });
      }
    } else {
      for (const e of this.#events) {
        if (
          e.key === w.key &&
          e.rv > Number(from) &&
          this.#inNamespace(w, e.object)
        )
          this.#send(w, e);
      }
    }
    this.#open.add(w);
    const done = () => this.#open.delete(w);
    req.on('close', done);
    res.on('close', done);
    const timeout = Number(query.timeoutSeconds);
    if (timeout > 0) {
      const timer = setTimeout(() => {
        done();
        res.end();
      }, timeout * 1000);
      res.on('close', () => clearTimeout(timer));
    }
  }

  #inNamespace(w: OpenWatch, object: KubeObject) {
    return !w.namespace || object.metadata.namespace === w.namespace;
  }

  #send(w: OpenWatch, e: { type: string; object: KubeObject }) {
    this.#write(w, { type: e.type, object: e.object });
  }

  #write(w: OpenWatch, event: unknown) {
    if (!w.res.writableEnded) w.res.write(`${JSON.stringify(event)}\n`);
  }
}
