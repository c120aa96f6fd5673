import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { costSummarySchema, errorBodySchema, loginResponseSchema, projectBudgetSchema, type ProjectBudget } from '../../src/contracts/index.js';
import { fixedClock } from '../../src/server/clock.js';
import { costRecorded, projectUpserted } from '../support/events.js';
import { ingestAccepted, serverIngest } from '../support/ingest.js';
import { openTestDb } from '../support/test-db.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

// November 2026 (UTC) is 30 days; at 2026-11-21T00:00Z exactly 20 of them have passed.
const NOW = '2026-11-21T00:00:00.000Z';
const clock = fixedClock(new Date(NOW));
const actor = { actorType: 'system' as const, actorId: null };
const tokensOnly = { amount: undefined, currency: undefined };
const PROJECTS = ['p-ok', 'p-risk', 'p-over', 'p-edge', 'p-unknown', 'p-unpriced', 'p-zero', 'p-eur', 'p-cleared', 'p-nobudget'];

async function sessionFor(t: TestServer, email: string, role: 'viewer' | 'operator' | 'manager'): Promise<string> {
  await t.server.core.auth.createUser({ email, role, password: 'a long enough password' }, actor);
  const res = await t.post('/api/v1/auth/login', { email, password: 'a long enough password', issueToken: true }, null);
  return loginResponseSchema.parse(await res.json()).token!;
}

function send(t: TestServer, method: 'PUT' | 'DELETE', url: string, token: string | null, body?: unknown) {
  return fetch(`${t.url}${url}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
}

async function budgets(t: TestServer, projectId?: string): Promise<ProjectBudget[]> {
  const res = await t.get(`/api/v1/costs/summary?window=24h${projectId ? `&projectId=${projectId}` : ''}`);
  const raw: unknown = await res.json();
  expect(res.status, JSON.stringify(raw)).toBe(200);
  return costSummarySchema.parse(raw).budgets;
}

const month = { month: '2026-11', monthStart: '2026-11-01T00:00:00.000Z', monthEnd: '2026-12-01T00:00:00.000Z' };

describe('monthly project budgets', () => {
  let t: TestServer;
  let operator: string;
  let manager: string;
  let viewer: string;
  beforeAll(async () => {
    t = await startTestServer({ clock });
    await ingestAccepted(
      t,
      PROJECTS.map((id) => projectUpserted(id)),
    );
    const usd = (projectId: string, amount: number, occurredAt: string) => costRecorded(`c-${projectId}`, { projectId, amount }, { occurredAt });
    await ingestAccepted(t, [
      // p-ok: 50 of 100 in 20 days -> 100 after 40 days, past the month's end: on_track.
      usd('p-ok', 20, '2026-11-02T10:00:00.000Z'),
      usd('p-ok', 30, '2026-11-18T23:59:59.000Z'),
      // p-risk: 80 of 100 in 20 days -> 100 after 20 * 100 / 80 = 25 days = 2026-11-26T00:00Z: at_risk.
      usd('p-risk', 80, '2026-11-03T04:05:06.000Z'),
      // p-over: 60 (60), 30 (90), 25 (115: crossed 100 here), 10 (125). October and EUR spend never count.
      usd('p-over', 500, '2026-10-31T23:59:59.999Z'),
      usd('p-over', 60, '2026-11-05T10:15:00.000Z'),
      usd('p-over', 30, '2026-11-10T08:20:00.000Z'),
      usd('p-over', 25, '2026-11-12T09:45:30.000Z'),
      usd('p-over', 10, '2026-11-15T00:00:00.000Z'),
      costRecorded('c-eur', { projectId: 'p-over', amount: 1000, currency: 'EUR' }, { occurredAt: '2026-11-06T00:00:00.000Z' }),
      // p-edge: 4 before the current hour, 7 inside it (read raw, at minute precision, once the clock is at 00:45).
      usd('p-edge', 4, '2026-11-20T23:10:00.000Z'),
      usd('p-edge', 7, '2026-11-21T00:20:10.000Z'),
      // p-unpriced: only a record without a price this month: spend unknown, never 0.
      costRecorded(
        'c-u',
        { ...tokensOnly, projectId: 'p-unpriced', model: 'mystery-model', tokens: { input: 10 } },
        { occurredAt: '2026-11-04T00:00:00.000Z' },
      ),
      // p-zero: a cost source (last month), nothing this month: spend is a known 0.
      usd('p-zero', 5, '2026-10-15T00:00:00.000Z'),
      // p-eur: budget in EUR; 10 EUR (USD spend is another currency and is not counted).
      costRecorded('c-e', { projectId: 'p-eur', amount: 10, currency: 'EUR' }, { occurredAt: '2026-11-08T00:00:00.000Z' }),
      usd('p-eur', 1000, '2026-11-08T00:00:00.000Z'),
    ]);
    operator = await sessionFor(t, 'op@example.test', 'operator');
    manager = await sessionFor(t, 'mgr@example.test', 'manager');
    viewer = await sessionFor(t, 'viewer@example.test', 'viewer');
    for (const id of ['p-ok', 'p-risk', 'p-over', 'p-edge', 'p-unknown', 'p-unpriced', 'p-zero', 'p-cleared']) {
      const res = await send(t, 'PUT', `/api/v1/projects/${id}/budget`, id === 'p-over' ? manager : operator, {
        amount: id === 'p-edge' ? 10 : 100,
        currency: 'USD',
      });
      expect(res.status, await res.clone().text()).toBe(200);
    }
    expect((await send(t, 'PUT', '/api/v1/projects/p-eur/budget', operator, { amount: 50, currency: 'EUR' })).status).toBe(200);
    expect((await send(t, 'DELETE', '/api/v1/projects/p-cleared/budget', operator)).status).toBe(204);
  });
  afterAll(() => t.close());

  it('on_track: 50 of 100 spent, the burn rate would not reach the budget before the month ends', async () => {
    expect(await budgets(t, 'p-ok')).toEqual([
      {
        projectId: 'p-ok',
        ...month,
        amount: 100,
        currency: 'USD',
        spent: 50,
        availability: 'available',
        reason: null,
        spentPct: 50,
        exceededAt: null,
        projectedExceedAt: null,
        status: 'on_track',
      },
    ]);
  });

  it('at_risk: 80 of 100 in 20 days projects the crossing at day 25', async () => {
    expect(await budgets(t, 'p-risk')).toEqual([
      {
        projectId: 'p-risk',
        ...month,
        amount: 100,
        currency: 'USD',
        spent: 80,
        availability: 'available',
        reason: null,
        spentPct: 80,
        exceededAt: null,
        projectedExceedAt: '2026-11-26T00:00:00.000Z',
        status: 'at_risk',
      },
    ]);
  });

  it('exceeded: spend crossed the budget with the record of 2026-11-12T09:45:30Z; October and other currencies do not count', async () => {
    expect(await budgets(t, 'p-over')).toEqual([
      {
        projectId: 'p-over',
        ...month,
        amount: 100,
        currency: 'USD',
        spent: 125,
        availability: 'available',
        reason: null,
        spentPct: 125,
        exceededAt: '2026-11-12T09:45:30.000Z',
        projectedExceedAt: null,
        status: 'exceeded',
      },
    ]);
  });

  it('finds a crossing inside the current, partial hour', async () => {
    // At 00:00Z only the 4 USD before midnight count (the 7 lies in the clock's future): 4 of 10 in 20 days reaches 10
    // after 50 days, past the month's end.
    expect((await budgets(t, 'p-edge'))[0]).toMatchObject({ spent: 4, spentPct: 40, projectedExceedAt: null, status: 'on_track' });
    clock.set(new Date('2026-11-21T00:45:00.000Z'));
    try {
      expect((await budgets(t, 'p-edge'))[0]).toMatchObject({
        spent: 11,
        spentPct: 110,
        exceededAt: '2026-11-21T00:20:10.000Z',
        projectedExceedAt: null,
        status: 'exceeded',
      });
    } finally {
      clock.set(new Date(NOW));
    }
  });

  it('unknown spend is never 0: no cost source, or only unpriced records', async () => {
    expect((await budgets(t, 'p-unknown'))[0]).toMatchObject({
      spent: null,
      spentPct: null,
      availability: 'unavailable',
      reason: 'no_cost_source',
      exceededAt: null,
      projectedExceedAt: null,
      status: 'unknown',
    });
    expect((await budgets(t, 'p-unpriced'))[0]).toMatchObject({
      spent: null,
      spentPct: null,
      availability: 'unavailable',
      reason: 'unpriced_events',
      status: 'unknown',
    });
    expect((await budgets(t, 'p-zero'))[0]).toMatchObject({
      spent: 0,
      spentPct: 0,
      availability: 'available',
      reason: null,
      status: 'on_track',
      projectedExceedAt: null,
    });
  });

  it('counts spend in the budget currency only', async () => {
    // 10 of 50 EUR in 20 days -> 50 after 100 days: on_track.
    expect((await budgets(t, 'p-eur'))[0]).toMatchObject({ amount: 50, currency: 'EUR', spent: 10, spentPct: 20, status: 'on_track' });
  });

  it('without projectId lists every project with a budget in force, by id; cleared and budget-less projects are absent', async () => {
    const all = await budgets(t);
    expect(all.map((b) => b.projectId)).toEqual(['p-edge', 'p-eur', 'p-ok', 'p-over', 'p-risk', 'p-unknown', 'p-unpriced', 'p-zero']);
    expect(await budgets(t, 'p-cleared')).toEqual([]);
    expect(await budgets(t, 'p-nobudget')).toEqual([]);
  });

  it('PUT answers the budget status, records a bmad-ops-ui event and an audit entry with the actor', async () => {
    const res = await send(t, 'PUT', '/api/v1/projects/p-nobudget/budget', operator, { amount: 12.5, currency: 'USD' });
    expect(res.status).toBe(200);
    expect(projectBudgetSchema.parse(await res.json())).toMatchObject({
      projectId: 'p-nobudget',
      amount: 12.5,
      currency: 'USD',
      availability: 'unavailable',
      reason: 'no_cost_source',
    });
    const db = openTestDb(t.dataDir, { readonly: true });
    try {
      const event = (await db.get<{ source_system: string; payload_json: string }>(
        "select source_system, payload_json from domain_events where event_type = 'project.budget_set' and entity_id = 'p-nobudget'",
      ))!;
      expect(event.source_system).toBe('bmad-ops-ui');
      expect(JSON.parse(event.payload_json)).toEqual({ amount: 12.5, currency: 'USD' });
      const audit = await db.all<{ actor_type: string; actor_id: string | null }>(
        "select actor_type, actor_id, details_json from audit_log where action = 'project.budget_set' and target_id = 'p-nobudget'",
      );
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ actor_type: 'user' });
      expect(audit[0]!.actor_id).toBeTruthy();
      const cleared = (await db.get<{ n: number }>("select count(*) as n from audit_log where action = 'project.budget_clear' and target_id = 'p-cleared'"))!;
      expect(cleared.n).toBe(1);
    } finally {
      await db.close();
    }
    expect((await send(t, 'DELETE', '/api/v1/projects/p-nobudget/budget', manager)).status).toBe(204);
    expect(await budgets(t, 'p-nobudget')).toEqual([]);
    // Clearing again is harmless.
    expect((await send(t, 'DELETE', '/api/v1/projects/p-nobudget/budget', manager)).status).toBe(204);
  });

  it('the newest occurredAt wins whatever the arrival order: an older set arriving after a clear does not revive it', async () => {
    const ev = (id: string, occurredAt: string, payload: Record<string, unknown>) => ({
      id,
      source: 'planner',
      type: 'project.budget_set',
      occurredAt,
      entity: { type: 'project', id: 'p-nobudget' },
      payload,
    });
    await serverIngest(t, [ev('b-2', '2026-11-21T10:00:00.000Z', { amount: null })]);
    await serverIngest(t, [ev('b-1', '2026-11-21T09:00:00.000Z', { amount: 70, currency: 'USD' })]);
    expect(await budgets(t, 'p-nobudget')).toEqual([]);
    await serverIngest(t, [ev('b-3', '2026-11-21T11:00:00.000Z', { amount: 30, currency: 'EUR' })]);
    expect((await budgets(t, 'p-nobudget'))[0]).toMatchObject({ amount: 30, currency: 'EUR' });
    // The event contract: an amount needs a currency.
    const invalid = await t.server.core.ingestion.ingest([ev('b-4', '2026-11-21T12:00:00.000Z', { amount: 5 })]);
    expect(invalid.results[0]).toMatchObject({ status: 'rejected', errors: [{ path: 'payload.currency' }] });
    // No key may set a budget through the events API: REST keeps it for operators.
    const res = await t.ingest([ev('b-5', '2026-11-21T12:00:00.000Z', { amount: 5, currency: 'USD' })]);
    const body = (await res.json()) as { results: { status: string; code?: string }[] };
    expect(body.results[0]).toMatchObject({ status: 'rejected', code: 'type_not_allowed' });
    expect((await budgets(t, 'p-nobudget'))[0]).toMatchObject({ amount: 30, currency: 'EUR' });
  });

  it('is for operators and managers only: 401 without credentials, 403 for viewers and API keys', async () => {
    const body = { amount: 1, currency: 'USD' };
    expect((await send(t, 'PUT', '/api/v1/projects/p-ok/budget', null, body)).status).toBe(401);
    expect((await send(t, 'PUT', '/api/v1/projects/p-ok/budget', viewer, body)).status).toBe(403);
    expect((await send(t, 'PUT', '/api/v1/projects/p-ok/budget', t.keys.all, body)).status).toBe(403);
    expect((await send(t, 'DELETE', '/api/v1/projects/p-ok/budget', viewer)).status).toBe(403);
    expect((await send(t, 'DELETE', '/api/v1/projects/p-ok/budget', t.keys.all)).status).toBe(403);
    expect((await budgets(t, 'p-ok'))[0]).toMatchObject({ amount: 100 });
  });

  it('404 for an unknown project, 422 naming the field for every bad request, never 500', async () => {
    const notFound = await send(t, 'PUT', '/api/v1/projects/p-nope/budget', operator, { amount: 1, currency: 'USD' });
    expect(notFound.status).toBe(404);
    expect(errorBodySchema.parse(await notFound.json()).error.code).toBe('not_found');
    expect((await send(t, 'DELETE', '/api/v1/projects/p-nope/budget', operator)).status).toBe(404);

    const bad = async (body: unknown, field: string, url = '/api/v1/projects/p-ok/budget') => {
      const res = await send(t, 'PUT', url, operator, body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(
        errorBodySchema.parse(await res.json()).error.fields?.map((f) => f.path),
        JSON.stringify(body),
      ).toContain(field);
    };
    await bad({ amount: -1, currency: 'USD' }, 'body.amount');
    await bad({ amount: 0, currency: 'USD' }, 'body.amount');
    await bad({ amount: 2e9, currency: 'USD' }, 'body.amount');
    await bad({ amount: '10', currency: 'USD' }, 'body.amount');
    await bad({ amount: null, currency: 'USD' }, 'body.amount');
    await bad({ currency: 'USD' }, 'body.amount');
    await bad({ amount: 10 }, 'body.currency');
    await bad({ amount: 10, currency: 'usd' }, 'body.currency');
    await bad({ amount: 10, currency: 'USD', note: 'x' }, 'body');
    await bad([], 'body');
    await bad({ amount: 10, currency: 'USD' }, 'id', `/api/v1/projects/${'x'.repeat(129)}/budget`);
    await bad({ amount: 10, currency: 'USD' }, '(root)', '/api/v1/projects/p-ok/budget?extra=1');
    // A body that is not JSON at all is the body parser's 400, like every other JSON route.
    expect((await send(t, 'PUT', '/api/v1/projects/p-ok/budget', operator, '{"amount":')).status).toBe(400);
    // No body at all.
    const empty = await send(t, 'PUT', '/api/v1/projects/p-ok/budget', operator);
    expect(empty.status).toBe(422);
    expect((await budgets(t, 'p-ok'))[0]).toMatchObject({ amount: 100, currency: 'USD' });
  });
});
