import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorBodySchema, loginResponseSchema, storySchema } from '../../src/contracts/index.js';
import { projectUpserted, storyUpserted } from '../support/events.js';
import { openTestDb } from '../support/test-db.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { TestWsClient } from '../support/ws-client.js';

const actor = { actorType: 'system' as const, actorId: null };

async function sessionFor(t: TestServer, email: string, role: 'viewer' | 'operator' | 'manager'): Promise<string> {
  await t.server.core.auth.createUser({ email, role, password: 'a long enough password' }, actor);
  const res = await t.post('/api/v1/auth/login', { email, password: 'a long enough password', issueToken: true }, null);
  return loginResponseSchema.parse(await res.json()).token!;
}

function patch(t: TestServer, id: string, body: unknown, token: string) {
  return fetch(`${t.url}/api/v1/stories/${id}/status`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

describe('PATCH /stories/:id/status with the editable Kanban on', () => {
  let t: TestServer;
  let operator: string;
  let viewer: string;
  beforeAll(async () => {
    t = await startTestServer({ config: { kanbanEditable: true } });
    await t.ingest([projectUpserted('p-k'), storyUpserted('s-k', 'p-k', { status: 'queued', kanbanColumn: 'backlog' })]);
    operator = await sessionFor(t, 'op@example.test', 'operator');
    viewer = await sessionFor(t, 'viewer@example.test', 'viewer');
  });
  afterAll(async () => {
    await t.close();
  });

  it('moves the story through an event every view and browser sees, and audits who did it', async () => {
    const ws = await TestWsClient.authed(t.url, t.keys.read, ['story']);
    const res = await patch(t, 's-k', { from: 'queued', to: 'in_progress', reason: 'picked up' }, operator);
    expect(res.status).toBe(200);
    expect(storySchema.parse(await res.json())).toMatchObject({ id: 's-k', status: 'in_progress', kanbanColumn: 'in_progress' });
    const pushed = await ws.waitFor((m) => m.type === 'event' && m.entityId === 's-k');
    expect(pushed).toMatchObject({ eventType: 'story.status_changed', payload: { from: 'queued', to: 'in_progress', reason: 'picked up' } });
    const board = (await (await t.get('/api/v1/kanban/board?projectId=p-k')).json()) as { columns: { key: string; count: number }[] };
    expect(board.columns.find((c) => c.key === 'in_progress')?.count).toBe(1);
    const db = openTestDb(t.dataDir, { readonly: true });
    const audit = await db.all<{
      actor_type: string;
      details_json: string;
    }>("select actor_type, actor_id, target_id, details_json from audit_log where action = 'story.status_change'");
    const event = (await db.get<{
      source_system: string;
    }>("select source_system from domain_events where entity_id = 's-k' and event_type = 'story.status_changed'"))!;
    await db.close();
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actor_type).toBe('user');
    expect(JSON.parse(audit[0]!.details_json)).toMatchObject({ from: 'queued', to: 'in_progress' });
    expect(event.source_system).toBe('bmad-ops-ui');
    ws.close();
  });

  it('refuses a move the status model does not allow, with the allowed ones named', async () => {
    const res = await patch(t, 's-k', { to: 'in_progress' }, operator);
    expect(res.status).toBe(422);
    expect(errorBodySchema.parse(await res.json()).error.fields?.[0]).toMatchObject({ path: 'to' });
    expect((await patch(t, 's-k', { to: 'failed' }, operator)).status).toBe(422);
    expect((await patch(t, 's-k', { to: 'sideways' }, operator)).status).toBe(422);
  });

  it('answers 409 when someone else moved the story first', async () => {
    const res = await patch(t, 's-k', { from: 'queued', to: 'done' }, operator);
    expect(res.status).toBe(409);
    expect(errorBodySchema.parse(await res.json()).error.code).toBe('status_changed');
  });

  it('is for operators and managers only, never viewers or API keys; unknown stories are 404', async () => {
    expect((await patch(t, 's-k', { to: 'done' }, viewer)).status).toBe(403);
    expect((await patch(t, 's-k', { to: 'done' }, t.keys.all)).status).toBe(403);
    expect((await patch(t, 's-nope', { to: 'done' }, operator)).status).toBe(404);
    const story = storySchema.parse(await (await t.get('/api/v1/stories?projectId=p-k').then((r) => r.json() as Promise<{ items: unknown[] }>)).items[0]);
    expect(story.status).toBe('in_progress');
  });
});

describe('PATCH /stories/:id/status with the Kanban read-only (the default)', () => {
  it('answers 403 kanban_read_only and changes nothing', async () => {
    const t = await startTestServer();
    try {
      await t.ingest([storyUpserted('s-ro', 'p', { status: 'queued' })]);
      const manager = await sessionFor(t, 'm@example.test', 'manager');
      const res = await patch(t, 's-ro', { to: 'in_progress' }, manager);
      expect(res.status).toBe(403);
      expect(errorBodySchema.parse(await res.json()).error.code).toBe('kanban_read_only');
      expect(((await (await t.get('/api/v1/stories')).json()) as { items: { status: string }[] }).items[0]!.status).toBe('queued');
    } finally {
      await t.close();
    }
  });
});
