/**
 * How long a file change in a watched BMAD project takes to reach a live WebSocket subscriber (issue 5: ≤ 1 s p95),
 * against the same path without the file system: an HTTP ingest of an equivalent event (the baseline, same run).
 * Run: npx tsx bench/connector/watch-latency.bench.ts
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ids } from '../../src/server/connector/bmad/to-events.js';
import { ADMIN, startTestServer } from '../../tests/support/test-server.js';
import { TestWsClient } from '../../tests/support/ws-client.js';
import { gitInfo } from '../support/run-info.js';
import { measured, reportOthers } from '../support/machine-load.js';

const EDITS = Number(process.env.BENCH_WATCH_EDITS ?? 40);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;

const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bmad-watch-bench-')), 'project');
fs.cpSync(path.resolve('examples/bmad-v6-sample'), dir, { recursive: true });
const t = await startTestServer({ config: { bmad: { projects: [dir] } } });
try {
  const snap = t.server.bmad.all[0]!.snapshot!;
  const story = snap.stories.find((s) => s.column === 'backlog')!;
  const storyId = ids.story(snap.projectKey, story.key);
  const sprint = path.join(dir, snap.sprintStatusFile!);
  const original = fs.readFileSync(sprint, 'utf8');
  const line = new RegExp(`(^\\s*${story.key}:\\s*)backlog`, 'm');
  const login = (await (await t.post('/api/v1/auth/login', { ...ADMIN, issueToken: true }, null)).json()) as { token: string };
  const ws = await TestWsClient.authed(t.url, login.token, ['story']);

  const file: number[] = [];
  const fileRun = await measured(async () => {
    for (let i = 0; i < EDITS; i++) {
      const value = i % 2 === 0 ? 'ready-for-dev' : 'backlog';
      const after = ws.events().at(-1)?.eventId ?? 0;
      const started = performance.now();
      fs.writeFileSync(sprint, original.replace(line, `$1${value}`));
      await ws.waitFor(
        (m) => m.type === 'event' && m.eventId > after && m.entityId === storyId && JSON.stringify(m.payload).includes(`"kanbanColumn":"${value}"`),
        5000,
      );
      file.push(performance.now() - started);
      await sleep(150);
    }
  });

  const http: number[] = [];
  const httpRun = await measured(async () => {
    for (let i = 0; i < EDITS; i++) {
      const id = `bench-${i}`;
      const started = performance.now();
      await t.ingest([
        {
          id,
          source: 'bench',
          type: 'story.upserted',
          occurredAt: new Date().toISOString(),
          entity: { type: 'story', id: `bench-story` },
          payload: { projectId: 'bench', title: `t${i}`, status: 'queued' },
        },
      ]);
      await ws.waitFor((m) => m.type === 'event' && m.entityId === 'bench-story' && JSON.stringify(m.payload).includes(`"title":"t${i}"`));
      http.push(performance.now() - started);
      await sleep(50);
    }
  });
  ws.close();
  const row = (name: string, xs: number[]) =>
    `${name.padEnd(44)} p50 ${pct(xs, 50).toFixed(0).padStart(4)} ms  p95 ${pct(xs, 95).toFixed(0).padStart(4)} ms  max ${Math.max(...xs)
      .toFixed(0)
      .padStart(4)} ms`;
  process.stdout.write(`watch latency bench (${EDITS} edits each), git ${gitInfo()?.commit.slice(0, 8) ?? '?'}\n`);
  process.stdout.write(`${row('file write -> WebSocket event (watcher)', file)}\n`);
  process.stdout.write(`${row('HTTP ingest -> WebSocket event (baseline)', http)}\n`);
  process.stdout.write(
    `ratio p95 file/HTTP: ${(pct(file, 95) / pct(http, 95)).toFixed(1)}x; budget p95 <= 1000 ms: ${pct(file, 95) <= 1000 ? 'met' : 'NOT met'}\n`,
  );
  reportOthers([fileRun.othersCores, httpRun.othersCores]);
} finally {
  await t.close();
}
