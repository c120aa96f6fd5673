import type { Migration } from './types.js';

/**
 * Story cost to date: the board sums cost_events per story for every card of a project in one grouped query, and the
 * story page breaks one story's costs down by agent and model. Both look rows up by story_id, which no index covered
 * (001 indexes project, agent and time), so every board read scanned the whole cost table.
 */
export const storyCosts: Migration = {
  version: 5,
  name: 'story-costs',
  statements(db) {
    return [db.schema.createIndex('cost_events_story_idx').on('cost_events').column('story_id')];
  },
};
