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

export async function bumpPostureVersion(tx: Knex): Promise<void> {
  await tx(TABLES.orgState)
    .insert({
      key: KEY,
      value: JSON.stringify(randomUUID()),
      updated_at: new Date().toISOString(),
    })
    .onConflict('key')
    .merge();
}

/** The current marker; empty before anything was stored. */
export async function readPostureVersion(db: Knex): Promise<string> {
  const row = await db(TABLES.orgState).where('key', KEY).first('value');
  return row?.value ?? '';
}
