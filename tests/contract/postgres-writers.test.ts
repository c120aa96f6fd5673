import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import type { IncomingEvent } from '../../src/contracts/index.js';
import type { DatabaseHandle } from '../../src/server/db/handle.js';
import { migrate } from '../../src/server/db/migrator.js';
import { openPostgres } from '../../src/server/db/postgres-connection.js';
import { withWriteTransaction } from '../../src/server/db/write-transaction.js';
import { eventsRepository } from '../../src/server/modules/events/events.repository.js';
import { createTestSchema, dropTestSchema, TEST_DATABASE_URL } from '../support/postgres.js';
import { sleep } from '../support/wait.js';

/**
 * Several instances writing to one Postgres at once (three pools on one schema, as three processes would be): event
 * ids must be handed out in commit order with no gaps, so that a reader who sees id N can read every id below it. A
 * reader watching throughout must never see a hole, not even for an instant.
 */
const handles: DatabaseHandle[] = [];
let schema = '';
afterAll(async () => {
  for (const h of handles) await h.close();
  if (schema) await dropTestSchema(schema);
});

const event = (n: string): IncomingEvent =>
  ({
    sourceEventId: n,
    source: 'writers',
    type: 'workflow.upserted',
    occurredAt: '2026-11-29T08:00:00.000Z',
    entityType: 'workflow',
    entityId: `wf-${n}`,
    projectId: null,
    storyId: null,
    workflowId: `wf-${n}`,
    correlationId: null,
    payload: { name: n, status: 'queued' },
  }) as IncomingEvent;

describe('concurrent writers on Postgres', () => {
  it('hand out ids in commit order without gaps, across instances and rollbacks, and no reader ever sees a hole', async () => {
    schema = await createTestSchema('contract');
    for (let i = 0; i < 3; i++) handles.push(openPostgres({ url: TEST_DATABASE_URL, poolSize: 4, schema, lockTimeoutMs: 5_000 }));
    await migrate(handles[0]!);
    const opts = { maxRetries: 20, retryDelayMs: 5 };

    let watching = true;
    const holes: string[] = [];
    const watcher = (async () => {
      while (watching) {
        const row = (
          await sql<{ n: number; hi: number }>`select count(*)::int as n, coalesce(max(id), 0)::int as hi from domain_events`.execute(handles[2]!.read)
        ).rows[0]!;
        if (row.n !== row.hi) holes.push(`${row.n} events up to id ${row.hi}`);
        await sleep(1);
      }
    })();

    const writes = Array.from({ length: 45 }, (_, w) =>
      withWriteTransaction(handles[w % 3]!, opts, async (trx) => {
        const stored = await eventsRepository.append(
          trx,
          Array.from({ length: 4 }, (_, k) => ({ event: event(`${w}-${k}`), contentHash: 'h' })),
          'now',
        );
        // Time inside the transaction: another instance's writer is waiting on the lock meanwhile.
        await sleep(w % 4);
        if (w % 9 === 4) throw new Error('rolled back on purpose');
        return stored.map((s) => s.eventId);
      }).catch((err: Error) => (err.message === 'rolled back on purpose' ? null : Promise.reject(err))),
    );
    const results = await Promise.all(writes);
    watching = false;
    await watcher;

    const committed = results.filter((r): r is number[] => r !== null);
    const ids = committed.flat().sort((a, b) => a - b);
    expect(ids).toEqual(Array.from({ length: ids.length }, (_, i) => i + 1));
    // Each transaction's ids are contiguous: they were handed out under the lock, in one go.
    for (const r of committed) expect(r[r.length - 1]! - r[0]!).toBe(r.length - 1);
    expect(committed.length).toBe(40);
    expect(holes).toEqual([]);
  });
});
