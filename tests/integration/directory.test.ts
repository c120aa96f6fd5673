import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directorySchema, loginResponseSchema, workspaceInfoSchema } from '../../src/contracts/index.js';
import { agentUpserted, projectUpserted, userUpserted } from '../support/events.js';
import { ingestIds } from '../support/ingest.js';
import { ADMIN, startTestServer, type TestServer } from '../support/test-server.js';

let t: TestServer;
let viewerToken: string;

beforeAll(async () => {
  t = await startTestServer({ config: { kanbanEditable: true } });
  await ingestIds(t, [
    projectUpserted('p-zeta', { name: 'Zeta Platform' }),
    projectUpserted('p-alpha', { name: 'Alpha Checkout' }),
    agentUpserted('agent-dev', { name: 'Amelia (Developer)', type: 'dev' }),
    agentUpserted('agent-sm', { name: 'Bob (Scrum Master)', type: 'sm' }),
    userUpserted('u-ann', { email: 'ann@example.test', displayName: 'Ann Example' }),
  ]);
  await t.server.core.auth.createUser(
    { email: 'viewer@example.test', role: 'viewer', password: 'viewer password 1', displayName: 'Vera Viewer' },
    { actorType: 'system', actorId: null },
  );
  const login = await t.post('/api/v1/auth/login', { email: 'viewer@example.test', password: 'viewer password 1', issueToken: true }, null);
  viewerToken = loginResponseSchema.parse(await login.json()).token!;
});
afterAll(async () => {
  await t.close();
});

describe('GET /directory', () => {
  it('names every project, agent and person the read models refer to', async () => {
    const res = await t.get('/api/v1/directory');
    expect(res.status).toBe(200);
    const body = directorySchema.parse(await res.json());
    expect(body.projects).toEqual([
      { id: 'p-alpha', name: 'Alpha Checkout' },
      { id: 'p-zeta', name: 'Zeta Platform' },
    ]);
    expect(body.agents).toEqual([
      { id: 'agent-dev', name: 'Amelia (Developer)', type: 'dev' },
      { id: 'agent-sm', name: 'Bob (Scrum Master)', type: 'sm' },
    ]);
    // People known from events and local accounts (the bootstrap admin, a viewer) alike, ordered by name.
    expect(body.people.map((p) => [p.displayName, p.email])).toEqual([
      ['Administrator', ADMIN.email],
      ['Ann Example', 'ann@example.test'],
      ['Vera Viewer', 'viewer@example.test'],
    ]);
    expect(body.people.find((p) => p.email === 'ann@example.test')?.id).toBe('u-ann');
  });

  it('exposes no secrets: people carry only id, name and email', async () => {
    const raw = (await (await t.get('/api/v1/directory')).json()) as { people: Record<string, unknown>[] };
    for (const p of raw.people) expect(Object.keys(p).sort()).toEqual(['displayName', 'email', 'id']);
    const text = JSON.stringify(raw);
    expect(text).not.toMatch(/scrypt|password|preferences|role/i);
  });

  it('needs read access: 401 without credentials, 403 for an ingest-only key, 200 for a signed-in viewer', async () => {
    expect((await t.get('/api/v1/directory', null)).status).toBe(401);
    expect((await t.get('/api/v1/directory', t.keys.ingest)).status).toBe(403);
    expect((await t.get('/api/v1/directory', viewerToken)).status).toBe(200);
    expect((await t.get('/api/v1/directory?x=1')).status).toBe(422);
  });

  it('caps each list at 2000 rows', async () => {
    const many = Array.from({ length: 2100 }, (_, i) => projectUpserted(`bulk-${String(i).padStart(4, '0')}`, { name: `Bulk ${String(i).padStart(4, '0')}` }));
    for (let i = 0; i < many.length; i += 1000) await ingestIds(t, many.slice(i, i + 1000));
    const body = directorySchema.parse(await (await t.get('/api/v1/directory')).json());
    expect(body.projects).toHaveLength(2000);
    expect(body.projects[0]).toEqual({ id: 'p-alpha', name: 'Alpha Checkout' });
    expect(body.projects[1]).toEqual({ id: 'bulk-0000', name: 'Bulk 0000' });
  });
});

describe('GET /meta/workspace', () => {
  it('reports the editable Kanban flag from the config and no demo data', async () => {
    const res = await t.get('/api/v1/meta/workspace', viewerToken);
    expect(res.status).toBe(200);
    expect(workspaceInfoSchema.parse(await res.json())).toEqual({ demo: false, kanbanEditable: true });
    expect((await t.get('/api/v1/meta/workspace', null)).status).toBe(401);
  });

  it('says read-only when the flag is off (the default)', async () => {
    const other = await startTestServer();
    try {
      expect(workspaceInfoSchema.parse(await (await other.get('/api/v1/meta/workspace')).json())).toEqual({ demo: false, kanbanEditable: false });
    } finally {
      await other.close();
    }
  });
});
