import type { Migration } from './types.js';

/**
 * Accounts signed in through an OpenID Connect provider: the provider's issuer and subject identify the person for
 * good (an email can change hands or be edited there), so each pair points at exactly one local account.
 */
export const userIdentities: Migration = {
  version: 13,
  name: 'user-identities',
  statements(db) {
    return [
      db.schema
        .createTable('user_identities')
        .addColumn('issuer', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('email', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('last_login_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('user_identities_pk', ['issuer', 'subject']),
      db.schema.createIndex('user_identities_user_idx').on('user_identities').column('user_id'),
    ];
  },
};
