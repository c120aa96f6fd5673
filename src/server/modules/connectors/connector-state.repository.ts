import type { Executor } from '../../db/handle.js';

/** Connector checkpoints (how far a project's git history was read): connector-local state, not a read model. */
export const connectorStateRepository = {
  async load(db: Executor, key: string): Promise<string | null> {
    const row = await db.selectFrom('connector_state').select('value_json').where('state_key', '=', key).executeTakeFirst();
    return row?.value_json ?? null;
  },

  async save(db: Executor, key: string, value: string, now: string): Promise<void> {
    await db
      .insertInto('connector_state')
      .values({ state_key: key, value_json: value, updated_at_utc: now })
      .onConflict((oc) => oc.column('state_key').doUpdateSet({ value_json: value, updated_at_utc: now }))
      .execute();
  },
};
