/*
 * One row that changes whenever stored postures change, written in the same
 * transaction as the change: caches (the org summary) compare it with one
 * read by primary key instead of counting the posture table per request.
 * Shared by every replica through the database.
 */
import { randomUUID } from 'node:crypto';
import { Knex } from 'knex';
import { TABLES } from '../../database/tables';

const KEY = 'posture-version';

/**
 * Writes a new marker in the transaction; returns the one it replaced and
 * its own. The row stays locked until the transaction ends (PostgreSQL: read
 * for update; SQLite has one writer), so the writes of all replicas form one
 * chain of markers: a replica whose cache holds `previous` knows nobody else
 * wrote in between (AnswerCache).
 */
export async function bumpPostureVersion(
  tx: Knex.Transaction,
): Promise<{ previous: string; current: string }> {
  const postgres = tx.client.dialect === 'postgresql';
  const read = tx(TABLES.orgState).where('key', KEY).first('value');
  const row: { value: string } | undefined = await (postgres
    ? read.forUpdate()
    : read);
  const current = JSON.stringify(randomUUID());
  await tx(TABLES.orgState)
    .insert({ key: KEY, value: current, updated_at: new Date().toISOString() })
    .onConflict('key')
    .merge();
  return { previous: row?.value ?? '', current };
}

/** The current marker; empty before anything was stored. */
export async function readPostureVersion(db: Knex): Promise<string> {
  const row = await db(TABLES.orgState).where('key', KEY).first('value');
  return row?.value ?? '';
}
