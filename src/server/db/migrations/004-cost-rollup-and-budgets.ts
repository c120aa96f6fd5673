import type { Migration } from './types.js';

export const costRollupAndBudgets: Migration = {
  version: 4,
  name: 'cost-rollup-and-budgets',
  statements() {
    return [];
  },
};
