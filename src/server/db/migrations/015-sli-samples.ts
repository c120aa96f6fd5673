import type { Migration } from './types.js';

/**
 * The status page's samples: one row per raw sample (resolution 0, every status.sampleIntervalMs) and one per 5-minute
 * bucket the sampler folds as it goes (resolution 300), each holding every SLI as one JSON object. A row per sample
 * rather than per SLI: the page always reads all SLIs of a window at once, so the 24-hour view is 288 primary-key rows.
 */
export const sliSamples: Migration = {
  version: 15,
  name: 'sli-samples',
  statements(db) {
    return [
      db.schema
        .createTable('sli_samples')
        .addColumn('resolution_s', 'integer', (c) => c.notNull())
        .addColumn('at_utc', 'text', (c) => c.notNull())
        .addColumn('samples', 'integer', (c) => c.notNull())
        .addColumn('values_json', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('sli_samples_pk', ['resolution_s', 'at_utc']),
    ];
  },
};
