import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareVersions, versionOfEvent } from '../../src/contracts/index.js';
import { fixedClock } from '../../src/server/clock.js';
import { newUiEventId, UI_SOURCE, UiCommand } from '../../src/server/modules/events/ui-command.js';
import { projectUpserted } from '../support/events.js';
import { openTestDb } from '../support/test-db.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const actor = { userId: 'user-1', ip: '192.0.2.7' };

describe('newUiEventId', () => {
  it('gives UUIDv7 ids that are unique and sort in the order they were made, even many in one millisecond', () => {
    const ids = Array.from({ length: 5000 }, () => newUiEventId());
    expect(ids.filter((id) => !UUID_V7.test(id))).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id, i) => i > 0 && id <= ids[i - 1]!)).toEqual([]);
  });

  it('orders two UI events of the same instant as they were made under the newest-wins rule', () => {
    const at = '2026-03-01T10:00:00.000Z';
    const first = versionOfEvent({ occurredAt: at, source: UI_SOURCE, sourceEventId: newUiEventId() });
    const second = versionOfEvent({ occurredAt: at, source: UI_SOURCE, sourceEventId: newUiEventId() });
    expect(compareVersions(second, first)).toBe(1);
  });
});

describe('UiCommand', () => {
  const clock = fixedClock(new Date('2026-03-01T10:00:00.000Z'));
  let t: TestServer;
  let ui: UiCommand;
  const rows = async <T>(sql: string, ...params: unknown[]): Promise<T[]> => {
    const db = openTestDb(t.dataDir, { readonly: true });
    try {
      return await db.all<T>(sql, ...params);
    } finally {
      await db.close();
    }
  };

  beforeAll(async () => {
    t = await startTestServer({ clock });
    await t.ingest([projectUpserted('p-ui')]);
    ui = new UiCommand(t.server.core.ingestion, t.server.core.auth, clock);
  });
  afterAll(async () => {
    await t.close();
  });

  it('lets the later of many changes made in the same millisecond win, as they were made', async () => {
    for (let amount = 1; amount <= 20; amount++) {
      await ui.record({ type: 'project.budget_set', entity: { type: 'project', id: 'p-ui' }, payload: { amount, currency: 'USD' } }, actor, {
        action: 'project.budget_set',
        targetType: 'project',
        targetId: 'p-ui',
        details: { amount },
      });
    }
    const instants = await rows<{ occurred_at_utc: string }>(
      "select occurred_at_utc from domain_events where entity_id = 'p-ui' and event_type = 'project.budget_set'",
    );
    expect(new Set(instants.map((r) => r.occurred_at_utc))).toEqual(new Set([clock.now().toISOString()]));
    const [budget] = await rows<{ amount: number }>("select amount from project_budgets where project_id = 'p-ui'");
    expect(budget?.amount).toBe(20);
  });

  it('appends the event under the dashboard source and audits the action with who did it and the event id', async () => {
    const eventId = await ui.record({ type: 'project.budget_set', entity: { type: 'project', id: 'p-ui' }, payload: { amount: 5, currency: 'EUR' } }, actor, {
      action: 'project.budget_set',
      targetType: 'project',
      targetId: 'p-ui',
      details: { amount: 5 },
    });
    const [event] = await rows<{ source_system: string; source_event_id: string; occurred_at_utc: string }>(
      'select source_system, source_event_id, occurred_at_utc from domain_events where id = ?',
      eventId,
    );
    expect(event).toMatchObject({ source_system: UI_SOURCE, occurred_at_utc: clock.now().toISOString() });
    expect(event?.source_event_id).toMatch(UUID_V7);
    const audit = await rows<{
      actor_type: string;
      actor_id: string;
      target_type: string;
      target_id: string;
      outcome: string;
      ip: string;
      details_json: string;
    }>(
      "select actor_type, actor_id, target_type, target_id, outcome, ip, details_json from audit_log where action = 'project.budget_set' order by id desc limit 1",
    );
    expect(audit[0]).toMatchObject({ actor_type: 'user', actor_id: 'user-1', target_type: 'project', target_id: 'p-ui', outcome: 'success', ip: '192.0.2.7' });
    expect(JSON.parse(audit[0]!.details_json)).toEqual({ amount: 5, eventId });
  });

  it('throws when ingestion refuses the event, and audits nothing', async () => {
    const before = (await rows<{ n: number }>("select count(*) as n from audit_log where action = 'refused.action'"))[0]!.n;
    await expect(
      ui.record({ type: 'no.such_type', entity: { type: 'project', id: 'p-ui' }, payload: {} }, actor, {
        action: 'refused.action',
        targetType: 'project',
        targetId: 'p-ui',
        details: {},
      }),
    ).rejects.toThrow(/was not accepted/);
    expect((await rows<{ n: number }>("select count(*) as n from audit_log where action = 'refused.action'"))[0]!.n).toBe(before);
  });
});
