import fs from 'node:fs';
import { testBackend } from '../support/postgres.js';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ResyncCompleteMessage, WelcomeMessage } from '../../src/contracts/index.js';
import { databaseFile } from '../../src/server/config.js';
import { lockDataDir } from '../../src/server/db/data-dir-lock.js';
import { inspectDatabase } from '../../src/server/db/sqlite-backup.js';
import { runCli } from '../support/cli.js';
import { workflowUpserted } from '../support/events.js';
import { ADMIN, startTestServer, tempDir } from '../support/test-server.js';
import { until } from '../support/wait.js';
import { TestWsClient } from '../support/ws-client.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

const cli = (args: string[]) => runCli(args);

const managerToken = async (url: string) => {
  const res = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...ADMIN, issueToken: true }),
  });
  return ((await res.json()) as { token: string }).token;
};

// SQLite only: `bmad-ops backup` copies the embedded database file; a Postgres installation is backed up with pg_dump.
describe.skipIf(testBackend() === 'postgres')('backup while ingesting, restore, recover (the drill)', () => {
  it('keeps every event acknowledged before the backup began, starts, and moves browsers to the new epoch by snapshot', async () => {
    const dataDir = tempDir('bmad-ops-drill-');
    dirs.push(dataDir);
    const t = await startTestServer({ dataDir });
    const token = await managerToken(t.url);

    // A steady writer: batches of 25 events, each acknowledged (2xx) before the next is sent.
    const acked: string[] = [];
    let writing = true;
    let batch = 0;
    const writer = (async () => {
      while (writing && batch < 2000) {
        const events = Array.from({ length: 25 }, (_, i) => workflowUpserted(`wf-drill-${batch}-${i}`, { name: `Drill ${batch}.${i}` }));
        batch++;
        const res = await t.ingest(events);
        if (res.status !== 200 && res.status !== 202) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
        acked.push(...events.map((e) => e.id));
      }
    })();
    while (acked.length < 500) await new Promise((r) => setTimeout(r, 10));

    const client = await TestWsClient.authed(t.url, token, ['workflow']);
    const welcome = client.messages.find((m) => m.type === 'welcome') as { epoch: string; headEventId: number };

    const ackedBeforeBackup = [...acked];
    const download = await fetch(`${t.url}/api/v1/admin/backup`, { headers: { authorization: `Bearer ${token}` } });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-disposition')).toMatch(/^attachment; filename="?bmad-ops-backup-.*\.sqlite"?$/);
    const backupFile = path.join(dataDir, 'drill.sqlite');
    fs.writeFileSync(backupFile, Buffer.from(await download.arrayBuffer()));
    const ackedDuringBackup = acked.length - ackedBeforeBackup.length;
    writing = false;
    await writer;
    expect(ackedDuringBackup).toBeGreaterThan(0);
    // The server deletes its own copy once sent.
    await until(
      () => fs.readdirSync(path.join(dataDir, 'backups')).length === 0,
      () => `the server deletes the copy it sent: ${fs.readdirSync(path.join(dataDir, 'backups')).join(', ')}`,
    );

    // The CLI's copy, made while the server is still running, verifies too.
    const cliCopy = path.join(dataDir, 'cli.sqlite');
    const made = cli(['backup', '--to', cliCopy, '--data-dir', dataDir]);
    expect(made.stderr).toBe('');
    expect(made.stdout).toMatch(/integrity ok/);
    expect(inspectDatabase(cliCopy).ok).toBe(true);
    expect(cli(['backup', '--to', cliCopy, '--data-dir', dataDir]).stderr).toMatch(/already exists/);
    // Restoring under a running server is refused: the database would be swapped beneath it.
    const refused = cli(['restore', backupFile, '--data-dir', dataDir]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/a server \(pid \d+\) is using/);

    await t.close();
    const restored = cli(['restore', backupFile, '--data-dir', dataDir]);
    expect(restored.stderr).toBe('');
    expect(restored.code).toBe(0);
    expect(restored.stdout).toMatch(/new epoch/);
    expect(fs.readdirSync(dataDir).some((f) => f.startsWith('bmad-ops.sqlite.before-restore-'))).toBe(true);
    expect(fs.statSync(databaseFile({ dataDir })).mode & 0o777).toBe(0o600);

    const again = await startTestServer({ dataDir });
    try {
      const stored = new Set(
        (await again.server.core.db.read.selectFrom('domain_events').select('source_event_id').where('entity_id', 'like', 'wf-drill-%').execute()).map(
          (r) => r.source_event_id,
        ),
      );
      const missing = ackedBeforeBackup.filter((id) => !stored.has(id));
      expect(ackedBeforeBackup.length).toBeGreaterThanOrEqual(500);
      expect(missing).toEqual([]);
      expect(stored.size).toBeLessThanOrEqual(acked.length);

      // The browser from before reconnects holding the old epoch's position: a snapshot, never a replay.
      const fresh = await managerToken(again.url);
      const back = await TestWsClient.connect(again.url);
      back.send({ type: 'auth', token: fresh });
      const hello = await back.waitFor<WelcomeMessage>((m) => m.type === 'welcome');
      expect(hello.epoch).not.toBe(welcome.epoch);
      back.send({ type: 'subscribe', topics: ['workflow'] });
      back.send({ type: 'resync_request', lastAckEventId: welcome.headEventId, epoch: welcome.epoch });
      const done = await back.waitFor<ResyncCompleteMessage>((m) => m.type === 'resync_complete' && m.reason === 'epoch_changed');
      expect(done.recovered).toBe(false);
      expect(back.messages.some((m) => m.type === 'snapshot' && m.module === 'workflow')).toBe(true);
      back.ws.close();
      client.ws.close();
    } finally {
      await again.close();
    }
  });

  it('refuses a file that is not a database, a damaged copy, and an existing target', () => {
    const dir = tempDir('bmad-ops-restore-bad-');
    dirs.push(dir);
    const junk = path.join(dir, 'junk.sqlite');
    fs.writeFileSync(junk, 'not a database at all');
    const r = cli(['restore', junk, '--data-dir', path.join(dir, 'data')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bmad-ops: restore: .*junk\.sqlite/);
    expect(fs.existsSync(databaseFile({ dataDir: path.join(dir, 'data') }))).toBe(false);
    const missing = cli(['backup', '--to', path.join(dir, 'x.sqlite'), '--data-dir', path.join(dir, 'nothing-here')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/bmad-ops: backup: cannot open the database/);
  });

  it('a second server on a data directory that is being served is refused; a lock left by a killed one is not', async () => {
    const dataDir = tempDir('bmad-ops-lock-');
    dirs.push(dataDir);
    fs.writeFileSync(path.join(dataDir, 'server.pid'), '999999999\n');
    const t = await startTestServer({ dataDir });
    await t.close();
    expect(fs.existsSync(path.join(dataDir, 'server.pid'))).toBe(false);
    // The parent of this test process stands in for another live server.
    fs.writeFileSync(path.join(dataDir, 'server.pid'), `${process.ppid}\n`);
    await expect(startTestServer({ dataDir })).rejects.toThrow(/another BMAD Ops server \(pid \d+\) is serving it/);
    fs.rmSync(path.join(dataDir, 'server.pid'));
    const release = lockDataDir(dataDir);
    release();
  });
});
