import type { Migration } from './types.js';

export const storyCosts: Migration = {
  version: 5,
  name: 'story-costs',
  statements() {
    return [];
  },
};
