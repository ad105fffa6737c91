/*
 * Loads the demo organisation (examples/catalog) and cluster
 * (examples/cluster/demo) for tests that check what the demo intends.
 */
import fs from 'node:fs';
import path from 'node:path';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { parseAllDocuments } from 'yaml';
import { EntityInfo } from '../engine';

export const REPO_ROOT = resolvePackagePath(
  '@internal/backstage-plugin-security-guardrails-backend',
  '../..',
);
export const DEMO_CLUSTER_DIR = path.join(REPO_ROOT, 'examples/cluster/demo');
export const DEMO_CATALOG_DIR = path.join(REPO_ROOT, 'examples/catalog');

export interface RawEntity {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    annotations?: Record<string, string>;
    links?: Array<{ url: string; title?: string; type?: string }>;
    [k: string]: unknown;
  };
  spec?: Record<string, any>;
  relations?: Array<{ type: string; targetRef: string }>;
}

export function loadDemoCatalog(): RawEntity[] {
  const out: RawEntity[] = [];
  for (const file of fs.readdirSync(DEMO_CATALOG_DIR).sort()) {
    if (!file.endsWith('.yaml')) continue;
    const text = fs.readFileSync(path.join(DEMO_CATALOG_DIR, file), 'utf8');
    for (const doc of parseAllDocuments(text)) {
      const value = doc.toJS();
      if (value) out.push(value);
    }
  }
  return out;
}

function qualify(ref: string, defaultKind: string): string {
  const m = /^(?:([^:]+):)?(?:([^/]+)\/)?(.+)$/.exec(ref)!;
  return `${(m[1] ?? defaultKind).toLowerCase()}:${m[2] ?? 'default'}/${m[3]}`;
}

export function toEntityInfo(e: RawEntity): EntityInfo {
  const ns = e.metadata.namespace ?? 'default';
  return {
    ref: `${e.kind.toLowerCase()}:${ns}/${e.metadata.name}`,
    kind: e.kind,
    namespace: ns,
    name: e.metadata.name,
    owner: e.spec?.owner ? qualify(e.spec.owner, 'group') : undefined,
    system: e.spec?.system ? qualify(e.spec.system, 'system') : undefined,
    annotations: e.metadata.annotations ?? {},
    links: e.metadata.links ?? [],
  };
}

export function demoEntities(): EntityInfo[] {
  return loadDemoCatalog()
    .filter(e => e.kind === 'Component')
    .map(toEntityInfo);
}

export function demoGroups(): Set<string> {
  return new Set(
    loadDemoCatalog()
      .filter(e => e.kind === 'Group')
      .map(
        e => `group:${e.metadata.namespace ?? 'default'}/${e.metadata.name}`,
      ),
  );
}
