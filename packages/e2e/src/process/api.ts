/*
 * What the scenarios ask of the access API and read back: a view grant on
 * the storefront, request states, each request's audit events in order, and
 * the RoleBinding files the demo cluster's grants directory holds.
 */
import { basename } from 'node:path';
import { check, yamlFilesUnder } from '../harness/util';
import { TestBackend } from './TestBackend';

const STOREFRONT = 'component:default/storefront';

/** The body of a request for `view` on the storefront's shop-web namespace. */
export function viewRequest(durationSeconds: number, n: number) {
  return {
    entityRef: STOREFRONT,
    role: 'view',
    cluster: 'demo',
    namespaces: ['shop-web'],
    durationSeconds,
    justification: `Process test grant ${n}: reading pod logs`,
  };
}

/** An audit event as GET /audit lists it (the fields the scenarios read). */
export interface AuditEvent {
  id: number;
  requestId: string;
  event: string;
  details?: { bindings?: string[] };
}

/** Each request's audit events, in order, as a security lead reads them. */
export async function auditOf(
  backend: TestBackend,
  ids: readonly string[],
): Promise<Map<string, AuditEvent[]>> {
  const events = new Map<string, AuditEvent[]>(ids.map(id => [id, []]));
  let cursor: string | undefined;
  for (;;) {
    const page: { items: AuditEvent[]; nextCursor?: string } = await backend.ok(
      'sam',
      'GET',
      `/audit?limit=500${cursor ? `&cursor=${cursor}` : ''}`,
    );
    for (const e of page.items) events.get(e.requestId)?.push(e);
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  for (const list of events.values()) list.sort((a, b) => a.id - b.id);
  return events;
}

/** Fails unless request `id` has exactly the `expected` audit events, in order. */
export function expectEvents(
  events: Map<string, AuditEvent[]>,
  id: string,
  expected: string[],
): void {
  const got = (events.get(id) ?? []).map(e => e.event);
  check(
    JSON.stringify(got) === JSON.stringify(expected),
    `audit of ${id}: ${got.join(', ')}; want ${expected.join(', ')}`,
  );
}

/** Names of the RoleBinding files under a grants directory. */
export function bindingFiles(dir: string): string[] {
  return yamlFilesUnder(dir).map(path => basename(path));
}

/** Each request's state, read as a security lead. */
export async function states(
  backend: TestBackend,
  ids: readonly string[],
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const id of ids) {
    out.set(
      id,
      (await backend.ok('sam', 'GET', `/access-requests/${id}`)).state,
    );
  }
  return out;
}
