import { sql } from 'kysely';
import type { DatabaseHandle } from './handle.js';
import { withWriteTransaction } from './write-transaction.js';

const PROBE_BYTES = 256 * 1024;

/**
 * A write that needs fresh pages (a row of 256 KiB, removed again in the same transaction): it commits only when the
 * database can grow again, so an update that happens to fit in place cannot report a full disk as recovered.
 */
export function storageProbe(db: DatabaseHandle): () => Promise<void> {
  return () =>
    withWriteTransaction(db, { maxRetries: 5, retryDelayMs: 20 }, async (trx) => {
      // Random bytes as hex: a value neither engine can compress into a page it already has.
      const value =
        db.dialect === 'sqlite'
          ? sql`hex(randomblob(${PROBE_BYTES / 2}))`
          : sql`(select string_agg(md5(random()::text), '') from generate_series(1, ${PROBE_BYTES / 32}))`;
      await sql`insert into meta (key, value) values ('storage_probe', ${value}) on conflict (key) do update set value = excluded.value`.execute(trx);
      await sql`delete from meta where key = 'storage_probe'`.execute(trx);
    });
}
