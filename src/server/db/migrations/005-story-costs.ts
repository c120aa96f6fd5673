import { sql } from 'kysely';
import type { Migration } from './types.js';

/**
 * Story cost to date. Every board card and project story list shows it, so summing cost_events per story on each read
 * (100,000 rows for one project's board at 1 M cost records) is too slow: story_cost_totals keeps the running sums per
 * story and currency, added to in the append transaction like the cost rollups ('' is "no currency": the unpriced
 * rows). The story page's per-agent/model breakdown still reads cost_events, by the story index.
 */
export const storyCosts: Migration = {
  version: 5,
  name: 'story-costs',
  statements(db) {
    return [
      db.schema.createIndex('cost_events_story_idx').on('cost_events').column('story_id'),
      db.schema
        .createTable('story_cost_totals')
        .addColumn('story_id', 'text', (c) => c.notNull())
        .addColumn('currency', 'text', (c) => c.notNull())
        .addColumn('amount_sum', 'real', (c) => c.notNull())
        .addColumn('event_count', 'integer', (c) => c.notNull())
        .addColumn('unpriced_count', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('story_cost_totals_pk', ['story_id', 'currency'])
        .modifyEnd(sql`without rowid`),
      db
        .insertInto('story_cost_totals')
        .columns(['story_id', 'currency', 'amount_sum', 'event_count', 'unpriced_count'])
        .expression(
          db
            .selectFrom('cost_events')
            .select([
              'story_id',
              sql<string>`coalesce(currency, '')`.as('currency'),
              sql<number>`coalesce(sum(cost_amount), 0)`.as('amount_sum'),
              sql<number>`count(*)`.as('event_count'),
              sql<number>`sum(case when cost_amount is null then 1 else 0 end)`.as('unpriced_count'),
            ])
            .where('story_id', 'is not', null)
            .groupBy(['story_id', sql`coalesce(currency, '')`]),
        ),
    ];
  },
};
