/**
 * The consistency monitor's cost: one pass (rebuild every read model from the log in memory, compare, check the
 * views) against the baseline of ingesting the same events, measured in the same run on the same database.
 *   npx tsx bench/consistency/verify.bench.ts   (BENCH_EVENTS=50000 by default)
 */
import { costRecorded, workflowTransitioned, workflowUpserted } from '../../tests/support/events.js';
import { startTestServer } from '../../tests/support/test-server.js';
import { envInt } from '../support/env.js';
import { measured, reportOthers } from '../support/machine-load.js';

const EVENTS = envInt('BENCH_EVENTS', 50_000);
const BATCH = 500;
const STATUSES = ['queued', 'in_progress', 'blocked', 'in_progress', 'done'] as const;

function workload(n: number): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const base = Date.parse('2026-11-01T00:00:00.000Z');
  for (let i = 0; out.length < n; i++) {
    const wf = `wf-bench-${i}`;
    const at = (k: number) => new Date(base + i * 60_000 + k * 1000).toISOString();
    out.push(workflowUpserted(wf, { projectId: `p-${i % 20}`, agentId: `agent-${i % 12}` }, { occurredAt: at(0) }));
    STATUSES.forEach((to, k) => out.push(workflowTransitioned(wf, k === 0 ? null : STATUSES[k - 1]!, to, { occurredAt: at(k + 1) })));
    out.push(
      costRecorded(`c-bench-${i}`, { projectId: `p-${i % 20}`, agentId: `agent-${i % 12}`, workflowId: wf, amount: 0.01 * (i % 97) }, { occurredAt: at(7) }),
    );
  }
  return out.slice(0, n);
}

const t = await startTestServer();
try {
  const events = workload(EVENTS);
  const ingest = await measured(async () => {
    for (let i = 0; i < events.length; i += BATCH) {
      const res = await t.ingest(events.slice(i, i + BATCH));
      if (res.status !== 200) throw new Error(`ingest answered ${res.status}`);
    }
  });
  const verify = await measured(() => t.server.consistency.verify('cli'));
  const [ingestMs, verifyMs, run] = [ingest.ms, verify.ms, verify.value];
  console.log(
    JSON.stringify(
      {
        events: EVENTS,
        ingestMs: Math.round(ingestMs),
        ingestEventsPerSec: Math.round(EVENTS / (ingestMs / 1000)),
        verifyMs: Math.round(verifyMs),
        verifyEventsPerSec: Math.round(EVENTS / (verifyMs / 1000)),
        verifyToIngestRatio: Number((verifyMs / ingestMs).toFixed(3)),
        result: run.result,
        findings: run.findings,
        rssMiB: Math.round(process.memoryUsage().rss / 1048576),
        othersCores: { ingest: ingest.othersCores, verify: verify.othersCores },
      },
      null,
      2,
    ),
  );
  reportOthers([ingest.othersCores, verify.othersCores]);
} finally {
  await t.close();
}
