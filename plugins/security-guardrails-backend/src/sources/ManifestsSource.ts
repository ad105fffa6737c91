import fs from 'node:fs/promises';
import path from 'node:path';
import { compareStrings } from '@internal/backstage-plugin-security-guardrails-common';
import {
  ClusterSnapshot,
  KubeObject,
  SourceError,
  SourceLocation,
} from '../engine';
import { parseJsonManifest, parseManifests } from './parseManifests';
import { placeUnnamespaced } from './installNamespace';
import { ClusterStateSource } from '@internal/backstage-plugin-security-guardrails-node';

export interface ManifestsSourceOptions {
  cluster: string;
  /** Directories (or single files) read recursively; together they are one cluster. */
  paths: string[];
  /** Namespace for objects that do not set one. */
  defaultNamespace?: string;
  /** Larger files are refused (default 5 MiB). */
  maxFileBytes?: number;
  /** Paths that may not exist yet (a directory grants are written to). */
  optionalPaths?: string[];
  /** Paths reported relative to this directory (default: as given). */
  relativeTo?: string;
}

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);
const SKIPPED_DIRECTORIES = new Set(['node_modules', '.git']);
export const DEFAULT_MAX_FILE_BYTES = 5 * 1024 * 1024;

/**
 * A directory of manifests as a cluster: the embedded default, GitOps
 * repositories, and what the CLI scans.
 */
export class ManifestsSource implements ClusterStateSource {
  readonly cluster: string;
  readonly #options: ManifestsSourceOptions;

  static create(options: ManifestsSourceOptions) {
    return new ManifestsSource(options);
  }

  private constructor(options: ManifestsSourceOptions) {
    this.cluster = options.cluster;
    this.#options = options;
  }

  async read(): Promise<ClusterSnapshot> {
    const objects: KubeObject[] = [];
    const locations = new Map<KubeObject, SourceLocation>();
    const errors: SourceError[] = [];
    const unnamespaced: KubeObject[] = [];
    let readable = 0;
    const maxBytes = this.#options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;

    for (const root of this.#options.paths) {
      const optional = this.#options.optionalPaths?.includes(root) ?? false;
      let files: string[];
      try {
        files = await listManifestFiles(root);
      } catch (e) {
        if (!(optional && (e as NodeJS.ErrnoException).code === 'ENOENT')) {
          errors.push({
            file: this.#display(root),
            message: `cannot read: ${(e as Error).message}`,
          });
        }
        continue;
      }
      if (!optional) readable++;
      for (const file of files) {
        const display = this.#display(file);
        let text: string;
        try {
          const stat = await fs.stat(file);
          if (stat.size > maxBytes) {
            errors.push({
              file: display,
              line: 1,
              message: `refused: ${stat.size} bytes is over the ${maxBytes}-byte limit`,
            });
            continue;
          }
          text = await fs.readFile(file, 'utf8');
        } catch (e) {
          errors.push({
            file: display,
            message: `cannot read: ${(e as Error).message}`,
          });
          continue;
        }
        const parsed = file.endsWith('.json')
          ? parseJsonManifest(text, display, {
              defaultNamespace: this.#options.defaultNamespace,
            })
          : parseManifests(text, display, {
              defaultNamespace: this.#options.defaultNamespace,
            });
        for (const obj of parsed.objects) {
          objects.push(obj);
          locations.set(obj, parsed.locations.get(obj)!);
        }
        errors.push(...parsed.errors);
        unnamespaced.push(...parsed.unnamespaced);
      }
    }
    // Without a namespace given, place namespace-less objects where their
    // bindings say they will run.
    const placement = this.#options.defaultNamespace
      ? undefined
      : placeUnnamespaced(objects, unnamespaced, 'default');

    return {
      cluster: this.cluster,
      readAt: readable > 0 ? new Date().toISOString() : null,
      status: readStatus(readable, errors.length),
      objects,
      locations,
      errors,
      ...(placement ? { notices: [placement.notice] } : {}),
    };
  }

  #display(file: string): string {
    const base = this.#options.relativeTo;
    return base ? path.relative(base, file) || file : file;
  }
}

function readStatus(
  readable: number,
  errors: number,
): ClusterSnapshot['status'] {
  if (readable === 0) return 'unreachable';
  return errors > 0 ? 'partial' : 'ok';
}

/** Manifest files under a path, sorted, without following symlinked directories. */
export async function listManifestFiles(root: string): Promise<string[]> {
  const stat = await fs.stat(root);
  if (stat.isFile()) return [root];
  const out: string[] = [];
  const walk = async (dir: string) => {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => compareStrings(a.name, b.name));
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (
          !SKIPPED_DIRECTORIES.has(entry.name) &&
          !entry.name.startsWith('.')
        ) {
          await walk(full);
        }
      } else if (
        entry.isFile() &&
        MANIFEST_EXTENSIONS.has(path.extname(entry.name).toLowerCase())
      ) {
        out.push(full);
      }
    }
  };
  await walk(root);
  return out;
}
