import type { Executor } from '../../db/handle.js';

/** resolution_s of a raw sample (taken every status.sampleIntervalMs). */
export const RAW = 0;
/** resolution_s of a 5-minute bucket (COARSE_BUCKET_MS) folding the raw samples inside it. */
export const COARSE = 300;

export interface SampleRow {
  at: string;
  samples: number;
  valuesJson: string;
}

/** The status page's SLI samples (table sli_samples, migration 015). */
export const sliSamplesRepository = {
  /** Writes a row, replacing one at the same resolution and instant (a bucket is rewritten as samples arrive). */
  async put(db: Executor, resolution: number, row: SampleRow): Promise<void> {
    await db
      .insertInto('sli_samples')
      .values({ resolution_s: resolution, at_utc: row.at, samples: row.samples, values_json: row.valuesJson })
      .onConflict((oc) => oc.columns(['resolution_s', 'at_utc']).doUpdateSet({ samples: row.samples, values_json: row.valuesJson }))
      .execute();
  },

  /** Rows with from <= at < to, oldest first (a primary-key range). */
  async range(db: Executor, resolution: number, from: string, to: string): Promise<SampleRow[]> {
    const rows = await db
      .selectFrom('sli_samples')
      .select(['at_utc', 'samples', 'values_json'])
      .where('resolution_s', '=', resolution)
      .where('at_utc', '>=', from)
      .where('at_utc', '<', to)
      .orderBy('at_utc')
      .execute();
    return rows.map((r) => ({ at: r.at_utc, samples: r.samples, valuesJson: r.values_json }));
  },

  async latest(db: Executor, resolution: number): Promise<SampleRow | undefined> {
    const r = await db
      .selectFrom('sli_samples')
      .select(['at_utc', 'samples', 'values_json'])
      .where('resolution_s', '=', resolution)
      .orderBy('at_utc', 'desc')
      .limit(1)
      .executeTakeFirst();
    return r ? { at: r.at_utc, samples: r.samples, valuesJson: r.values_json } : undefined;
  },

  /** Deletes rows older than `before`; returns how many. */
  async pruneBefore(db: Executor, resolution: number, before: string): Promise<number> {
    const r = await db.deleteFrom('sli_samples').where('resolution_s', '=', resolution).where('at_utc', '<', before).executeTakeFirst();
    return Number(r.numDeletedRows);
  },
};
