/*
 * Grants as files, GitOps-style: each RoleBinding is written to
 * `<grantsDirectory>/<namespace>/<name>.yaml`, which the cluster's manifests
 * source reads back (so the demo's posture sees the grant), and removed at
 * revocation. Files are written atomically (temp file + rename).
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import {
  AppliedBinding,
  GRANT_ANNOTATIONS,
  GRANT_LABELS,
  GRANT_MANAGED_BY_VALUE,
} from '@internal/backstage-plugin-security-guardrails-common';
import { listManifestFiles } from '../../sources/ManifestsSource';
import { RoleBindingObject, roleBindingFor, sameGrant } from './roleBinding';
import {
  GrantConflictError,
  GrantDriver,
  GrantSpec,
  ManagedBinding,
} from './types';

const SAFE_SEGMENT = /^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/;

export class ManifestsGrantDriver implements GrantDriver {
  readonly cluster: string;
  readonly #dir: string;

  static create(options: { cluster: string; directory: string }) {
    return new ManifestsGrantDriver(options.cluster, options.directory);
  }

  private constructor(cluster: string, dir: string) {
    this.cluster = cluster;
    this.#dir = dir;
  }

  #file(namespace: string, name: string): string {
    // Names come from validated grants, but never let one leave the directory.
    if (!SAFE_SEGMENT.test(namespace) || !SAFE_SEGMENT.test(name)) {
      throw new Error(`refusing to write a binding named ${namespace}/${name}`);
    }
    return path.join(this.#dir, namespace, `${name}.yaml`);
  }

  async #read(file: string): Promise<RoleBindingObject | undefined> {
    try {
      return parse(await fs.readFile(file, 'utf8')) as RoleBindingObject;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  async #write(file: string, obj: RoleBindingObject) {
    await fs.mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
    await fs.writeFile(
      tmp,
      `# Managed by Security Guardrails: removed when the grant ends.\n${stringify(
        obj,
      )}`,
      'utf8',
    );
    await fs.rename(tmp, file);
  }

  async apply(grant: GrantSpec): Promise<AppliedBinding[]> {
    const applied: AppliedBinding[] = [];
    for (const namespace of grant.namespaces) {
      const wanted = roleBindingFor(grant, namespace);
      const file = this.#file(namespace, wanted.metadata.name);
      const existing = await this.#read(file);
      if (existing) {
        if (!sameGrant(existing, wanted)) {
          throw new GrantConflictError(
            `RoleBinding ${namespace}/${wanted.metadata.name} already exists with a different roleRef or subjects; it was not changed`,
          );
        }
        applied.push({
          cluster: this.cluster,
          namespace,
          name: wanted.metadata.name,
          uid: existing.metadata.uid,
        });
        continue;
      }
      wanted.metadata.uid = randomUUID();
      await this.#write(file, wanted);
      applied.push({
        cluster: this.cluster,
        namespace,
        name: wanted.metadata.name,
        uid: wanted.metadata.uid,
      });
    }
    return applied;
  }

  async revoke(grantId: string, bindings: AppliedBinding[]): Promise<void> {
    for (const b of bindings) {
      const file = this.#file(b.namespace, b.name);
      const current = await this.#read(file);
      if (!current) continue; // already gone
      const labels = current.metadata?.labels ?? {};
      const ours =
        labels[GRANT_LABELS.managedBy] === GRANT_MANAGED_BY_VALUE &&
        labels[GRANT_LABELS.grantId] === grantId;
      // A re-created binding of this grant (a retried apply) may carry another UID: still ours.
      if (!ours) {
        throw new GrantConflictError(
          `RoleBinding ${b.namespace}/${b.name} was replaced by an object this grant does not own; it was left in place`,
        );
      }
      await fs.rm(file, { force: true });
    }
  }

  async updateExpiry(
    grant: GrantSpec,
    bindings: AppliedBinding[],
  ): Promise<AppliedBinding[]> {
    const out: AppliedBinding[] = [];
    for (const b of bindings) {
      const file = this.#file(b.namespace, b.name);
      const current = await this.#read(file);
      if (!current) {
        out.push(
          ...(await this.apply({ ...grant, namespaces: [b.namespace] })),
        );
        continue;
      }
      current.metadata.annotations = {
        ...current.metadata.annotations,
        [GRANT_ANNOTATIONS.expiresAt]: grant.expiresAt,
      };
      await this.#write(file, current);
      out.push(b);
    }
    return out;
  }

  async listManaged(): Promise<ManagedBinding[]> {
    let files: string[];
    try {
      files = await listManifestFiles(this.#dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    const out: ManagedBinding[] = [];
    for (const file of files) {
      const obj = await this.#read(file);
      if (
        obj?.kind !== 'RoleBinding' ||
        obj.metadata?.labels?.[GRANT_LABELS.managedBy] !==
          GRANT_MANAGED_BY_VALUE
      )
        continue;
      out.push({
        cluster: this.cluster,
        namespace: obj.metadata.namespace,
        name: obj.metadata.name,
        uid: obj.metadata.uid,
        grantId: obj.metadata.labels[GRANT_LABELS.grantId],
      });
    }
    return out;
  }
}
