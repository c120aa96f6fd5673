import fs from 'node:fs';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { STATUS_MODEL, type Status } from '../../src/contracts/index.js';
import { databaseFile, configSchema } from '../../src/server/config.js';
import { createLogger } from '../../src/server/observability/logger.js';
import { createCore } from '../../src/server/core.js';
import { dumpReadModels } from '../support/read-models.js';
import { tempDir } from '../support/test-server.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

// Few ids and few instants, so collisions (same entity, same occurredAt) are common and tie-breaks get exercised.
const instant = fc.integer({ min: 0, max: 5 }).map((m) => new Date(Date.UTC(2026, 10, 29, 8, m)).toISOString());
const wfId = fc.constantFrom('wf-a', 'wf-b', 'wf-c');
const storyId = fc.constantFrom('s-a', 's-b');
const projectId = fc.constantFrom('p-a', 'p-b');
const source = fc.constantFrom('src-1', 'src-2');
const pick = <T>(xs: readonly T[]) => fc.constantFrom(...xs);

function transitions(entity: 'workflow' | 'story') {
  const pairs: [Status, Status][] = [];
  for (const [from, tos] of Object.entries(STATUS_MODEL[entity].transitions)) for (const to of tos ?? []) pairs.push([from as Status, to]);
  return pick(pairs);
}

const eventBody = fc.oneof(
  fc.record({
    type: fc.constant('workflow.upserted'),
    entity: wfId.map((id) => ({ type: 'workflow', id })),
    payload: fc.record({
      name: fc.constantFrom('build', 'review'),
      status: pick(STATUS_MODEL.workflow.statuses),
      projectId,
      ownerId: fc.constantFrom('u-1', 'u-2', null),
    }),
  }),
  fc.record({
    type: fc.constant('workflow.transitioned'),
    entity: wfId.map((id) => ({ type: 'workflow', id })),
    payload: transitions('workflow').map(([from, to]) => ({ from, to, reason: 'r' })),
  }),
  fc.record({
    type: fc.constant('story.upserted'),
    entity: storyId.map((id) => ({ type: 'story', id })),
    payload: fc.record({
      projectId,
      title: fc.constantFrom('T1', 'T2'),
      status: pick(STATUS_MODEL.story.statuses),
      kanbanColumn: fc.constantFrom('review', null),
    }),
  }),
  fc.record({
    type: fc.constant('story.status_changed'),
    entity: storyId.map((id) => ({ type: 'story', id })),
    payload: transitions('story').map(([from, to]) => ({ from, to })),
  }),
  fc.record({
    type: fc.constant('project.upserted'),
    entity: projectId.map((id) => ({ type: 'project', id })),
    payload: fc.record({
      name: fc.constantFrom('Alpha', 'Beta'),
      status: pick(STATUS_MODEL.project.statuses),
      progressPct: fc.constantFrom(null, 10, 90),
      riskFlag: fc.boolean(),
    }),
  }),
  fc.record({
    type: fc.constant('agent.upserted'),
    entity: fc.constantFrom('ag-1', 'ag-2').map((id) => ({ type: 'agent', id })),
    payload: fc.record({ name: fc.constantFrom('Amelia', 'Bob'), type: fc.constantFrom('dev', 'sm') }),
  }),
  fc.record({
    type: fc.constant('user.upserted'),
    entity: fc.constantFrom('u-1', 'u-2').map((id) => ({ type: 'user', id })),
    payload: fc.record({ email: fc.constantFrom('a@x.test', 'b@x.test'), displayName: fc.constantFrom('A', 'B') }),
  }),
  fc.record({
    type: fc.constant('cost.recorded'),
    entity: fc.constantFrom('c-1', 'c-2', 'c-3').map((id) => ({ type: 'cost', id })),
    payload: fc.record({ amount: fc.constantFrom(0.5, 2), currency: fc.constant('USD'), projectId }),
  }),
  fc.record({
    type: fc.constant('sync.reported'),
    entity: fc.constantFrom('conn-1', 'conn-2').map((id) => ({ type: 'sync', id })),
    payload: fc.oneof(
      fc.constant({ module: 'story', status: 'ok', expectedIntervalMs: 60_000 }),
      fc.constant({ module: 'story', status: 'failed', error: 'bad yaml' }),
    ),
  }),
);

const eventSet = fc
  .uniqueArray(fc.record({ n: fc.nat(10_000), source, occurredAt: instant, body: eventBody }), {
    minLength: 1,
    maxLength: 40,
    selector: (e) => `${e.source}/${e.n}`,
  })
  .map((list) => list.map((e) => ({ id: `e-${e.n}`, source: e.source, occurredAt: e.occurredAt, ...e.body })));

/** Ingests `events` in batches of the given sizes into a fresh database and returns its read models. */
async function project(events: readonly unknown[], batchSizes: readonly number[]): Promise<Record<string, unknown[]>> {
  const dataDir = tempDir('bmad-ops-prop-');
  dirs.push(dataDir);
  // The rollup and the writer's rounds on the main thread: a worker thread per core (80 per run) cost most of this
  // test's time; the rollup's tables are not read models this property compares, and the writer's thread runs the same
  // round code (tests/integration/writer-thread.test.ts compares the two).
  const config = configSchema.parse({
    dataDir,
    logLevel: 'silent',
    auth: { scryptCostLog2: 10 },
    analytics: { rollupThread: 'main' },
    ingest: { writerThread: 'main' },
  });
  const core = await createCore(config, { logger: createLogger('silent') });
  try {
    let i = 0;
    let b = 0;
    while (i < events.length) {
      const size = Math.max(1, batchSizes[b++ % batchSizes.length]!);
      const res = await core.ingestion.ingest(events.slice(i, i + size));
      expect(res.rejected, JSON.stringify(res.results.filter((r) => r.status === 'rejected'))).toBe(0);
      i += size;
    }
  } finally {
    await core.close();
  }
  const dump = dumpReadModels(databaseFile(config));
  fs.rmSync(dataDir, { recursive: true, force: true });
  return dump;
}

describe('projections are order-independent', () => {
  it('any permutation of an event set, with duplicates and any batching, yields identical read models', async () => {
    await fc.assert(
      fc.asyncProperty(
        eventSet.chain((events) =>
          fc.tuple(
            fc.constant(events),
            fc.shuffledSubarray(events, { minLength: 0, maxLength: events.length }),
            fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 5 }),
            fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 5 }),
            fc.infiniteStream(fc.nat()),
          ),
        ),
        async ([events, dupes, batchesA, batchesB, seeds]) => {
          // Shuffle (Fisher-Yates driven by fast-check's stream so failures shrink and replay).
          const shuffled = [...events, ...dupes];
          const it = seeds[Symbol.iterator]();
          for (let i = shuffled.length - 1; i > 0; i--) {
            const j = it.next().value! % (i + 1);
            [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
          }
          const a = await project(events, batchesA);
          const b = await project(shuffled, batchesB);
          expect(b).toEqual(a);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('keeps every workflow transition, whatever the order', async () => {
    const events = [
      {
        id: 't1',
        source: 's',
        type: 'workflow.transitioned',
        occurredAt: '2026-11-29T08:02:00Z',
        entity: { type: 'workflow', id: 'w' },
        payload: { from: 'in_progress', to: 'done' },
      },
      {
        id: 't0',
        source: 's',
        type: 'workflow.transitioned',
        occurredAt: '2026-11-29T08:01:00Z',
        entity: { type: 'workflow', id: 'w' },
        payload: { from: 'queued', to: 'in_progress' },
      },
    ];
    const dump = await project(events, [1]);
    expect(dump.workflow_transitions).toHaveLength(2);
    expect(dump.workflows).toEqual([expect.objectContaining({ id: 'w', status: 'done', name: null, last_transition_at: '2026-11-29T08:02:00.000Z' })]);
  });
});
