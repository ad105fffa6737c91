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

/** Files read ahead of the parse. */
const READ_AHEAD = 8;

type FileRead = { text: string } | { tooBig: number } | { error: string };

/** One open per file: its size checked on the handle before anything is read. */
async function readBounded(file: string, maxBytes: number): Promise<FileRead> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(file, 'r');
    const { size } = await handle.stat();
    if (size > maxBytes) return { tooBig: size };
    return { text: await handle.readFile('utf8') };
  } catch (e) {
    return { error: (e as Error).message };
  } finally {
    await handle?.close().catch(() => {});
  }
}

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
      // Files are read a few at a time ahead of the parse, and parsed in order.
      const reads = new Map<number, Promise<FileRead>>();
      for (let i = 0; i < files.length; i++) {
        for (let j = i; j < Math.min(files.length, i + READ_AHEAD); j++) {
          if (!reads.has(j)) reads.set(j, readBounded(files[j], maxBytes));
        }
        const file = files[i];
        const read = await reads.get(i)!;
        reads.delete(i);
        const display = this.#display(file);
        if ('error' in read) {
          errors.push({
            file: display,
            message: `cannot read: ${read.error}`,
          });
          continue;
        }
        if ('tooBig' in read) {
          errors.push({
            file: display,
            line: 1,
            message: `refused: ${read.tooBig} bytes is over the ${maxBytes}-byte limit`,
          });
          continue;
        }
        const text = read.text;
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
