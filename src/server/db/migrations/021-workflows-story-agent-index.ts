import type { Migration } from './types.js';

/**
 * workflows (story_id) becomes (story_id, agent_id). The rollup asks, for every story a batch touches, which agents
 * ran its workflows (workflowsRepository.agentsOfStories): with the agent in the index that is read from the index
 * alone, in the order DISTINCT wants, instead of one table row per workflow. Measured on bench:queries' 1.2 M-event
 * log (50,000 workflows, 2,000 stories): 13.7 -> 5.6 ms per batch's lookup. Every lookup by story alone (the
 * workflow list filtered by story, the story page's runs) uses the index's first column as before, so one index
 * replaces the other.
 */
export const workflowsStoryAgentIndex: Migration = {
  version: 21,
  name: 'workflows-story-agent-index',
  statements(db) {
    return [db.schema.dropIndex('workflows_story_idx'), db.schema.createIndex('workflows_story_agent_idx').on('workflows').columns(['story_id', 'agent_id'])];
  },
};
