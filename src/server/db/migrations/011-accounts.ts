import type { Migration } from './types.js';

/** Accounts a manager can switch off (sessions end, sign-in refused) and keys that expire on their own. */
export const accounts: Migration = {
  version: 11,
  name: 'accounts',
  statements(db) {
    return [db.schema.alterTable('users').addColumn('disabled_at', 'text'), db.schema.alterTable('api_keys').addColumn('expires_at', 'text')];
  },
};
