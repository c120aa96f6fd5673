import type { StoredEvent } from '../events/index.js';
import { isNewer, minInstant, versionOf, type Projection } from '../events/index.js';
import { alertConfigRepository, type ChannelRow, type RuleRow } from './alert-config.repository.js';

type Base = { id: string; created_at: string; updated_at: string; version_at: string; version_key: string };
type Versioned = { created_at: string; version_at: string | null; version_key: string | null };

/**
 * The newest event per entity wins (occurredAt, then source and id), in whatever order they arrive; created_at is the
 * earliest event seen. `next` builds the row from the winning event (a removal keeps the row as a tombstone).
 */
function foldNewest<E extends StoredEvent, R extends Versioned>(
  events: readonly E[],
  rows: ReadonlyMap<string, R>,
  next: (e: E, base: Base, current: R | undefined) => R,
): R[] {
  const touched = new Map<string, R>();
  for (const e of events) {
    const v = versionOf(e);
    const current = touched.get(e.entityId) ?? rows.get(e.entityId);
    const createdAt = minInstant(current?.created_at, e.occurredAt);
    if (current && !isNewer(v, { at: current.version_at, key: current.version_key })) {
      touched.set(e.entityId, { ...current, created_at: createdAt });
      continue;
    }
    touched.set(e.entityId, next(e, { id: e.entityId, created_at: createdAt, updated_at: v.at, version_at: v.at, version_key: v.key }, current));
  }
  return [...touched.values()];
}

/** alert_rules: newest alert.rule_set or alert.rule_removed per rule; a removal stays as a tombstone. */
export const alertRulesProjection: Projection<'alert.rule_set' | 'alert.rule_removed'> = {
  name: 'alert-rules',
  handles: ['alert.rule_set', 'alert.rule_removed'],
  async apply(trx, events) {
    const rows = await alertConfigRepository.ruleRows(trx, [...new Set(events.map((e) => e.entityId))]);
    const folded = foldNewest(events, rows, (e, base, current): RuleRow => {
      if (e.type === 'alert.rule_removed') {
        return {
          ...base,
          name: current?.name ?? null,
          kind: current?.kind ?? null,
          enabled: 0,
          project_id: current?.project_id ?? null,
          config_json: current?.config_json ?? null,
          removed: 1,
        };
      }
      const rule = e.payload.rule;
      return {
        ...base,
        name: rule.name,
        kind: rule.condition.kind,
        enabled: rule.enabled ? 1 : 0,
        project_id: rule.projectId,
        config_json: JSON.stringify(rule),
        removed: 0,
      };
    });
    await alertConfigRepository.upsertRules(trx, folded);
  },
};

/** alert_channels: as the rules, newest version wins, removals kept as tombstones. */
export const alertChannelsProjection: Projection<'alert.channel_set' | 'alert.channel_removed'> = {
  name: 'alert-channels',
  handles: ['alert.channel_set', 'alert.channel_removed'],
  async apply(trx, events) {
    const rows = await alertConfigRepository.channelRows(trx, [...new Set(events.map((e) => e.entityId))]);
    const folded = foldNewest(events, rows, (e, base, current): ChannelRow => {
      if (e.type === 'alert.channel_removed') {
        return {
          ...base,
          name: current?.name ?? null,
          type: current?.type ?? null,
          enabled: 0,
          target: current?.target ?? null,
          secret_set_at: current?.secret_set_at ?? null,
          removed: 1,
        };
      }
      const p = e.payload;
      return { ...base, name: p.name, type: p.type, enabled: p.enabled ? 1 : 0, target: p.target, secret_set_at: p.secretSetAt, removed: 0 };
    });
    await alertConfigRepository.upsertChannels(trx, folded);
  },
};
