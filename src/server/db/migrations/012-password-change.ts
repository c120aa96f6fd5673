import { sql } from 'kysely';
import type { Migration } from './types.js';

/** Accounts whose password someone else saw (generated at first start or by an invite) must choose their own. */
export const passwordChange: Migration = {
  version: 12,
  name: 'password-change',
  statements(db) {
    return [db.schema.alterTable('users').addColumn('password_change_required', 'integer', (c) => c.notNull().defaultTo(sql`0`))];
  },
};
