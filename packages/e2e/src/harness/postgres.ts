/*
 * PostgreSQL for the process tests: databases under a per-run prefix on a
 * shared server (dropped before and after), and a private throw-away cluster
 * (initdb on its own port) that a scenario can stop and start under load.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readdirSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { Client } from 'pg';
import { Failure } from './util';

/** Whether a PostgreSQL server answers at `connectionString`. */
export async function reachable(connectionString: string): Promise<boolean> {
  const client = new Client({
    connectionString,
    connectionTimeoutMillis: 3000,
  });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs `fn` with a database prefix of its own on the server at
 * `connectionString`; every database with that prefix is dropped before and after.
 */
export async function withDatabasePrefix<T>(
  connectionString: string,
  fn: (prefix: string) => Promise<T>,
  log: (message: string) => void,
): Promise<T> {
  const prefix = `guardrails_proc_${process.pid}_`;
  const admin = new Client({ connectionString });
  const dropAll = async () => {
    const { rows } = await admin.query<{ datname: string }>(
      'SELECT datname FROM pg_database WHERE datname LIKE $1',
      [`${prefix}%`],
    );
    for (const { datname } of rows)
      await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  };
  await admin.connect();
  try {
    await dropAll();
    return await fn(prefix);
  } finally {
    await dropAll().catch(e => log(`could not drop ${prefix}*: ${e.message}`));
    await admin.end();
  }
}

/** The backend's `backend.database` for a PostgreSQL server, with a database prefix. */
export function pgDatabase(connectionString: string, prefix: string) {
  const url = new URL(connectionString);
  return {
    client: 'pg',
    prefix,
    connection: {
      host: url.hostname,
      port: Number(url.port || 5432),
      user: decodeURIComponent(url.username || 'postgres'),
      password: decodeURIComponent(url.password || ''),
    },
  };
}

/** PG_BIN, or the newest /usr/lib/postgresql/<version>/bin that has initdb. */
export function findPgBin(): string | undefined {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base)
    .filter(v => existsSync(join(base, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? join(base, versions[0], 'bin') : undefined;
}

/** A throw-away PostgreSQL cluster on its own port, run as `postgres` when we are root. */
export class PrivatePostgres {
  private readonly dir: string;
  private readonly socketDir: string;
  private readonly asRoot: boolean;

  constructor(
    work: string,
    private readonly bin: string,
    readonly port: number,
  ) {
    this.dir = join(work, 'pgdata');
    this.socketDir = join(work, 'pgsock');
    this.asRoot = process.getuid?.() === 0;
  }

  /** Runs a PostgreSQL tool without blocking the event loop (the load goes on meanwhile). */
  private run(tool: string, args: string[]): Promise<void> {
    const cmd = join(this.bin, tool);
    const [file, argv] = this.asRoot
      ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]]
      : [cmd, args];
    return new Promise((resolveRun, reject) => {
      const child = spawn(file, argv);
      let output = '';
      child.stdout.on('data', c => (output += c));
      child.stderr.on('data', c => (output += c));
      child.on('error', reject);
      child.on('exit', code =>
        code === 0
          ? resolveRun()
          : reject(new Failure(`${tool} ${args.join(' ')}: ${output}`)),
      );
    });
  }

  init(): Promise<void> {
    for (const d of [this.dir, this.socketDir]) {
      mkdirSync(d, { recursive: true });
      if (this.asRoot) {
        const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
        const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
        chownSync(d, Number(id.stdout), Number(gid.stdout));
      }
      chmodSync(d, 0o700);
    }
    if (this.asRoot) chmodSync(dirname(this.dir), 0o755);
    return this.run('initdb', [
      '-D',
      this.dir,
      '-A',
      'trust',
      '-U',
      'postgres',
      '--no-sync',
    ]);
  }

  start(): Promise<void> {
    return this.run('pg_ctl', [
      '-D',
      this.dir,
      '-l',
      join(this.dir, 'server.log'),
      '-w',
      '-o',
      `-p ${this.port} -k ${this.socketDir} -c listen_addresses=127.0.0.1 -c fsync=off`,
      'start',
    ]);
  }

  stop(): Promise<void> {
    return this.run('pg_ctl', ['-D', this.dir, '-m', 'fast', '-w', 'stop']);
  }

  get connectionString(): string {
    return `postgresql://postgres@127.0.0.1:${this.port}`;
  }
}
