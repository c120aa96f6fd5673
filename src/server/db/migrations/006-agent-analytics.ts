import type { Migration } from './types.js';

export const agentAnalytics: Migration = {
  version: 6,
  name: 'agent-analytics',
  statements() {
    return [];
  },
};
