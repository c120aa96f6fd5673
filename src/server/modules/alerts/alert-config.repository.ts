import type { Selectable } from 'kysely';
import { alertRuleConfigSchema, type AlertChannelType, type AlertRuleConfig } from '../../../contracts/index.js';
import { chunks } from '../../db/chunks.js';
import type { Executor } from '../../db/handle.js';
import { upsertByKey } from '../../db/upsert.js';
import type { AlertChannelsTable, AlertRulesTable } from '../../db/schema.js';

export type RuleRow = Selectable<AlertRulesTable>;
export type ChannelRow = Selectable<AlertChannelsTable>;

/** A rule in force or switched off, not removed. */
export interface StoredRule extends AlertRuleConfig {
  id: string;
  createdAt: string;
  updatedAt: string;
}

export interface StoredChannel {
  id: string;
  name: string;
  type: AlertChannelType;
  enabled: boolean;
  target: string;
  secretSetAt: string;
  createdAt: string;
  updatedAt: string;
}

/** A channel with what posting needs: only the dispatcher and the test button read these. */
export interface ChannelTarget {
  id: string;
  name: string;
  type: AlertChannelType;
  url: string;
  signingSecret: string | null;
}

function toRule(r: RuleRow): StoredRule | null {
  if (r.removed || r.config_json === null) return null;
  // Parsed with the contract: a row written by an older version reads with today's defaults.
  const config = alertRuleConfigSchema.safeParse(JSON.parse(r.config_json));
  return config.success ? { ...config.data, id: r.id, createdAt: r.created_at, updatedAt: r.updated_at } : null;
}

function toChannel(r: ChannelRow): StoredChannel | null {
  if (r.removed || r.name === null || r.type === null) return null;
  return {
    id: r.id,
    name: r.name,
    type: r.type as AlertChannelType,
    enabled: r.enabled === 1,
    target: r.target ?? '',
    secretSetAt: r.secret_set_at ?? r.updated_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export const alertConfigRepository = {
  async ruleRows(db: Executor, ids: readonly string[]): Promise<Map<string, RuleRow>> {
    const out = new Map<string, RuleRow>();
    for (const part of chunks(ids)) for (const r of await db.selectFrom('alert_rules').selectAll().where('id', 'in', part).execute()) out.set(r.id, r);
    return out;
  },

  upsertRules(db: Executor, rows: readonly RuleRow[]): Promise<void> {
    return upsertByKey(db, 'alert_rules', 'id', rows);
  },

  async channelRows(db: Executor, ids: readonly string[]): Promise<Map<string, ChannelRow>> {
    const out = new Map<string, ChannelRow>();
    for (const part of chunks(ids)) for (const r of await db.selectFrom('alert_channels').selectAll().where('id', 'in', part).execute()) out.set(r.id, r);
    return out;
  },

  upsertChannels(db: Executor, rows: readonly ChannelRow[]): Promise<void> {
    return upsertByKey(db, 'alert_channels', 'id', rows);
  },

  /** Rules not removed, oldest first (the order a manager made them). */
  async rules(db: Executor, opts: { enabledOnly?: boolean } = {}): Promise<StoredRule[]> {
    let q = db.selectFrom('alert_rules').selectAll().where('removed', '=', 0);
    if (opts.enabledOnly) q = q.where('enabled', '=', 1);
    const rows = await q.orderBy('created_at').orderBy('id').execute();
    return rows.map(toRule).filter((r): r is StoredRule => r !== null);
  },

  async rule(db: Executor, id: string): Promise<StoredRule | null> {
    const row = await db.selectFrom('alert_rules').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toRule(row) : null;
  },

  async channels(db: Executor): Promise<StoredChannel[]> {
    const rows = await db.selectFrom('alert_channels').selectAll().where('removed', '=', 0).orderBy('created_at').orderBy('id').execute();
    return rows.map(toChannel).filter((c): c is StoredChannel => c !== null);
  },

  async channel(db: Executor, id: string): Promise<StoredChannel | null> {
    const row = await db.selectFrom('alert_channels').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toChannel(row) : null;
  },

  /** Enabled channels among these ids, with their URL and secret. A channel whose secret row is missing is left out. */
  async targets(db: Executor, ids: readonly string[]): Promise<ChannelTarget[]> {
    if (ids.length === 0) return [];
    const out: ChannelTarget[] = [];
    for (const part of chunks(ids)) {
      const rows = await db
        .selectFrom('alert_channels')
        .innerJoin('alert_channel_secrets', 'alert_channel_secrets.channel_id', 'alert_channels.id')
        .select(['alert_channels.id', 'alert_channels.name', 'alert_channels.type', 'alert_channel_secrets.url', 'alert_channel_secrets.signing_secret'])
        .where('alert_channels.id', 'in', part)
        .where('alert_channels.removed', '=', 0)
        .where('alert_channels.enabled', '=', 1)
        .execute();
      for (const r of rows)
        if (r.name !== null && r.type !== null)
          out.push({ id: r.id, name: r.name, type: r.type as AlertChannelType, url: r.url, signingSecret: r.signing_secret });
    }
    return out;
  },

  /** Names of rules and channels by id, removed ones included (the audit log names what it changed). */
  async namesByIds(db: Executor, table: 'alert_rules' | 'alert_channels', ids: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const part of chunks(ids)) {
      const rows = await db.selectFrom(table).select(['id', 'name']).where('id', 'in', part).execute();
      for (const r of rows) if (r.name !== null) out.set(r.id, r.name);
    }
    return out;
  },

  /** Which channels have their secrets stored (the list says "set" for these, never the values). */
  async secretsSet(db: Executor): Promise<Map<string, { url: boolean; secret: boolean }>> {
    const rows = await db.selectFrom('alert_channel_secrets').select(['channel_id', 'url', 'signing_secret']).execute();
    return new Map(rows.map((r) => [r.channel_id, { url: r.url.length > 0, secret: r.signing_secret !== null }]));
  },

  async secretOf(db: Executor, channelId: string): Promise<{ url: string; signingSecret: string | null } | null> {
    const r = await db.selectFrom('alert_channel_secrets').select(['url', 'signing_secret']).where('channel_id', '=', channelId).executeTakeFirst();
    return r ? { url: r.url, signingSecret: r.signing_secret } : null;
  },

  /** Stores a channel's URL and secret before the event that announces the change (so the channel is never without them). */
  async putSecret(db: Executor, channelId: string, url: string, signingSecret: string | null, at: string): Promise<void> {
    await db
      .insertInto('alert_channel_secrets')
      .values({ channel_id: channelId, url, signing_secret: signingSecret, updated_at: at })
      .onConflict((oc) => oc.column('channel_id').doUpdateSet({ url, signing_secret: signingSecret, updated_at: at }))
      .execute();
  },

  async deleteSecret(db: Executor, channelId: string): Promise<void> {
    await db.deleteFrom('alert_channel_secrets').where('channel_id', '=', channelId).execute();
  },
};
