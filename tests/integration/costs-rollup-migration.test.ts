import fs from 'node:fs';
import { testBackend } from '../support/postgres.js';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/server/db/migrations/index.js';
import { migrate } from '../../src/server/db/migrator.js';
import { openSqlite } from '../../src/server/db/sqlite-connection.js';
import { tempDir } from '../support/test-server.js';

const dir = tempDir('bmad-ops-rollup-mig-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

// SQLite only: it seeds a SQLite file at migration 3 and migrates it forward (Postgres databases start at 18).
describe.skipIf(testBackend() === 'postgres')('migration 004 backfills the hourly rollups from the cost rows already stored', () => {
  it('groups existing cost_events by hour and key, with "none" as the empty string and unpriced rows counted', async () => {
    const handle = openSqlite({ file: path.join(dir, 'bmad-ops.sqlite'), busyTimeoutMs: 50 });
    try {
      await migrate(handle, MIGRATIONS.slice(0, 3));
      const rows = [
        { project_id: 'p-1', agent_id: 'dev', model: null, story_id: 's-1', cost_amount: 1.5, currency: 'USD', occurred_at_utc: '2026-11-29T08:10:00.000Z' },
        { project_id: 'p-1', agent_id: 'dev', model: null, story_id: 's-1', cost_amount: 2.25, currency: 'USD', occurred_at_utc: '2026-11-29T08:59:59.999Z' },
        { project_id: 'p-1', agent_id: null, model: 'mystery', story_id: null, cost_amount: null, currency: null, occurred_at_utc: '2026-11-29T08:30:00.000Z' },
        { project_id: null, agent_id: 'qa', model: null, story_id: null, cost_amount: 4, currency: 'EUR', occurred_at_utc: '2026-11-29T09:00:00.000Z' },
      ];
      for (const [i, r] of rows.entries()) {
        const e = await handle.write
          .insertInto('domain_events')
          .values({
            event_type: 'cost.recorded',
            entity_type: 'cost',
            entity_id: `c-${i}`,
            project_id: r.project_id,
            story_id: r.story_id,
            workflow_id: null,
            occurred_at_utc: r.occurred_at_utc,
            ingested_at_utc: r.occurred_at_utc,
            source_system: 'old',
            source_event_id: `e-${i}`,
            correlation_id: null,
            payload_json: '{}',
            content_hash: `h-${i}`,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        await handle.write
          .insertInto('cost_events')
          .values({ ...r, source_event_id: e.id, workflow_id: null })
          .execute();
      }
      await migrate(handle);
      const full = await handle.read.selectFrom('cost_rollup_hourly').selectAll().orderBy('hour_start_utc').orderBy('project_id').orderBy('currency').execute();
      expect(full).toEqual([
        {
          hour_start_utc: '2026-11-29T08:00:00.000Z',
          project_id: 'p-1',
          agent_id: '',
          model: 'mystery',
          story_id: '',
          currency: '',
          amount_sum: 0,
          event_count: 1,
          unpriced_count: 1,
        },
        {
          hour_start_utc: '2026-11-29T08:00:00.000Z',
          project_id: 'p-1',
          agent_id: 'dev',
          model: '',
          story_id: 's-1',
          currency: 'USD',
          amount_sum: 3.75,
          event_count: 2,
          unpriced_count: 0,
        },
        {
          hour_start_utc: '2026-11-29T09:00:00.000Z',
          project_id: '',
          agent_id: 'qa',
          model: '',
          story_id: '',
          currency: 'EUR',
          amount_sum: 4,
          event_count: 1,
          unpriced_count: 0,
        },
      ]);
      const perProject = await handle.read
        .selectFrom('cost_rollup_project_hourly')
        .selectAll()
        .orderBy('hour_start_utc')
        .orderBy('project_id')
        .orderBy('currency')
        .execute();
      expect(perProject).toEqual([
        { hour_start_utc: '2026-11-29T08:00:00.000Z', project_id: 'p-1', currency: '', amount_sum: 0, event_count: 1, unpriced_count: 1 },
        { hour_start_utc: '2026-11-29T08:00:00.000Z', project_id: 'p-1', currency: 'USD', amount_sum: 3.75, event_count: 2, unpriced_count: 0 },
        { hour_start_utc: '2026-11-29T09:00:00.000Z', project_id: '', currency: 'EUR', amount_sum: 4, event_count: 1, unpriced_count: 0 },
      ]);
      const daily = await handle.read.selectFrom('cost_rollup_project_daily').selectAll().orderBy('project_id').orderBy('currency').execute();
      expect(daily).toEqual([
        { day_start_utc: '2026-11-29T00:00:00.000Z', project_id: '', currency: 'EUR', amount_sum: 4, event_count: 1, unpriced_count: 0 },
        { day_start_utc: '2026-11-29T00:00:00.000Z', project_id: 'p-1', currency: '', amount_sum: 0, event_count: 1, unpriced_count: 1 },
        { day_start_utc: '2026-11-29T00:00:00.000Z', project_id: 'p-1', currency: 'USD', amount_sum: 3.75, event_count: 2, unpriced_count: 0 },
      ]);
    } finally {
      await handle.close();
    }
  });
});
