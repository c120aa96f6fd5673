import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, type CompiledQuery } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseFile } from '../../src/server/config.js';
import type { Database as Schema } from '../../src/server/db/schema.js';
import { withWriteTransaction } from '../../src/server/db/write-transaction.js';
import { HistoryCache } from '../../src/server/modules/analytics/history-cache.js';
import { eventsRepository, retentionRepository, type StatusHistoryEntry } from '../../src/server/modules/events/index.js';
import { workflowTransitioned, workflowUpserted } from '../support/events.js';
import { ingestAccepted } from '../support/ingest.js';
import { testBackend } from '../support/postgres.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

const tx = { maxRetries: 5, retryDelayMs: 10 };
/** Per id asked for, its history in id order (no events and no entry mean the same to the rollup: an empty history). */
const sorted = (ids: string[], m: Map<string, StatusHistoryEntry[]>) =>
  Object.fromEntries(ids.map((id) => [id, [...(m.get(id) ?? [])].sort((x, y) => x.eventId - y.eventId)]));
/** What the cache answers, and what a fresh read of the log answers, in one write transaction (as the rollup reads). */
async function both(cache: HistoryCache, ids: string[]) {
  return withWriteTransaction(t.server.core.db, tx, async (trx) => ({
    cached: sorted(ids, await cache.histories(trx, 'workflow', ids)),
    fresh: sorted(ids, await eventsRepository.statusHistories(trx, 'workflow', ids)),
  }));
}

describe('the rollup history cache', () => {
  it('answers exactly what a fresh read of the log does, as workflows move between reads', async () => {
    const cache = new HistoryCache();
    const ids = ['hc-1', 'hc-2', 'hc-3'];
    await ingestAccepted(t, [workflowUpserted('hc-1', { status: 'queued' }), workflowUpserted('hc-2', { status: 'queued' })]);
    let r = await both(cache, ids);
    expect(r.cached).toEqual(r.fresh);
    expect(r.cached['hc-3']).toEqual([]);
    // Later events, a workflow that did not exist before, and one that does not move: the held ones get only the rest.
    await ingestAccepted(t, [
      workflowTransitioned('hc-1', 'queued', 'in_progress'),
      workflowUpserted('hc-3', { status: 'queued' }),
      workflowTransitioned('hc-1', 'in_progress', 'done'),
    ]);
    r = await both(cache, ids);
    expect(r.cached).toEqual(r.fresh);
    expect(r.cached['hc-1']!.map((e) => e.status)).toEqual(['queued', 'in_progress', 'done']);
    // A subset read, then more events, then the whole set: entries held through different heads still come out whole.
    await both(cache, ['hc-2']);
    await ingestAccepted(t, [workflowTransitioned('hc-2', 'queued', 'in_progress'), workflowTransitioned('hc-3', 'queued', 'failed')]);
    r = await both(cache, ids);
    expect(r.cached).toEqual(r.fresh);
  });

  it('forgets everything when retention prunes the log (a fresh read no longer sees the pruned events)', async () => {
    const cache = new HistoryCache();
    await ingestAccepted(t, [workflowUpserted('hc-9', { status: 'queued' }), workflowTransitioned('hc-9', 'queued', 'in_progress')]);
    expect((await both(cache, ['hc-9'])).cached['hc-9']).toHaveLength(2);
    const first = (await withWriteTransaction(t.server.core.db, tx, (trx) => eventsRepository.statusHistories(trx, 'workflow', ['hc-9']))).get('hc-9')!;
    const oldest = Math.min(...first.map((e) => e.eventId));
    await withWriteTransaction(t.server.core.db, tx, (trx) => retentionRepository.deleteWindow(trx, oldest - 1, oldest, new Set()));
    const r = await both(cache, ['hc-9']);
    expect(r.cached).toEqual(r.fresh);
    expect(r.cached['hc-9']).toHaveLength(1);
  });

  // The plan is SQLite's: a Postgres planner picks a scan for a test's few rows whatever the indexes are.
  it.runIf(testBackend() === 'sqlite')('reads through the partial status-history index, by entity and from an id on', async () => {
    await ingestAccepted(t, [workflowUpserted('hc-plan', { status: 'queued' }), workflowTransitioned('hc-plan', 'queued', 'in_progress')]);
    const raw = new Database(databaseFile(t.server.core.config), { readonly: true });
    const queries: CompiledQuery[] = [];
    const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: raw }), log: (e) => void queries.push(e.query) });
    try {
      for (const [type, after] of [
        ['workflow', 0],
        ['story', 1],
      ] as const) {
        queries.length = 0;
        const histories = await eventsRepository.statusHistories(db, type, ['hc-plan'], after);
        if (type === 'workflow') expect(histories.get('hc-plan')!.map((e) => e.status)).toEqual(['queued', 'in_progress']);
        const q = queries[0]!;
        const plan = (raw.prepare(`explain query plan ${q.sql}`).all(...q.parameters) as { detail: string }[]).map((r) => r.detail).join('; ');
        expect(plan).toMatch(
          after
            ? /USING INDEX domain_events_status_history_idx \(entity_type=\? AND entity_id=\? AND id>\?\)/
            : /USING INDEX domain_events_status_history_idx \(entity_type=\? AND entity_id=\?\)/,
        );
      }
    } finally {
      await db.destroy();
    }
  });
});
