import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestResponseSchema } from '../../src/contracts/index.js';
import { sourceNamedAfter } from '../../src/server/cli/key-commands.js';
import { SERVER_SOURCES } from '../../src/server/modules/events/ingest-policy.js';
import { DEMO_SOURCE } from '../../src/server/demo/demo-workspace.js';
import { UI_SOURCE } from '../../src/server/modules/events/ui-command.js';
import { OTLP_SOURCE } from '../../src/server/modules/otlp/claude-telemetry.js';
import { storyUpserted } from '../support/events.js';
import { openTestDb } from '../support/test-db.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

let t: TestServer;
let bound: { id: string; key: string };
beforeAll(async () => {
  t = await startTestServer();
  bound = await t.server.core.auth.createApiKey('ci pipeline', ['ingest'], { actorType: 'system', actorId: null }, { sources: ['ci-pipeline'] });
});
afterAll(() => t.close());

const agent = (id: string, source: string, type = 'agent.upserted') => ({
  id,
  source,
  type,
  occurredAt: '2026-12-01T10:00:00Z',
  entity: { type: 'agent', id: `a-${id}` },
  payload: { name: 'A', type: 'dev' },
});
async function post(key: string, events: unknown[]) {
  const res = await t.post('/api/v1/events', { events }, key);
  return ingestResponseSchema.parse(await res.json()).results.map((r) => (r.status === 'rejected' ? r.code : r.status));
}
async function stored(sourceEventId: string): Promise<{ sent_by: string | null } | undefined> {
  const db = openTestDb(t.dataDir, { readonly: true });
  try {
    return await db.get<{ sent_by: string | null }>('select sent_by from domain_events where source_event_id = ?', sourceEventId);
  } finally {
    await db.close();
  }
}

describe('what an ingest key may write', () => {
  it('a key bound to its sources writes those only', async () => {
    expect(await post(bound.key, [agent('p1', 'ci-pipeline'), agent('p2', 'bmad-connector'), agent('p3', 'anything-else')])).toEqual([
      'accepted',
      'source_not_allowed',
      'source_not_allowed',
    ]);
    expect(await stored('p2')).toBeUndefined();
  });

  it("no key writes the server's own sources, whatever it is bound to", async () => {
    expect(SERVER_SOURCES).toEqual(expect.arrayContaining([UI_SOURCE, OTLP_SOURCE, DEMO_SOURCE]));
    for (const source of SERVER_SOURCES) expect(await post(t.keys.ingest, [agent(`srv-${source}`, source)])).toEqual(['source_not_allowed']);
    // A story move "from the dashboard", forged by a key, is refused.
    const forged = storyUpserted('s-forged', 'p-1', {}, { id: 'forged-move', source: UI_SOURCE });
    expect(await post(t.keys.ingest, [forged])).toEqual(['source_not_allowed']);
    expect(await post(t.keys.ingest, [storyUpserted('s-ok', 'p-1', {}, { id: 'ok-move', source: 'test' })])).toEqual(['accepted']);
  });

  it("every stored event keeps the key that sent it; the server's own reads keep none", async () => {
    expect(await stored('p1')).toEqual({ sent_by: `key:${bound.id}` });
    expect((await t.server.core.auth.senderNames([`key:${bound.id}`])).get(`key:${bound.id}`)).toBe('API key “ci pipeline”');
    await t.server.core.ingestion.ingest([agent('internal-1', 'bmad-connector')]);
    expect(await stored('internal-1')).toEqual({ sent_by: null });
  });

  it('key create binds a key to a source named after it unless told otherwise', () => {
    expect(sourceNamedAfter('my-connector')).toBe('my-connector');
    expect(sourceNamedAfter("Ana's Laptop")).toBe('ana-s-laptop');
    expect(sourceNamedAfter('bmad-ops-ui')).toBe('key-bmad-ops-ui');
    expect(sourceNamedAfter('!!!')).toBe('key-source');
  });
});
