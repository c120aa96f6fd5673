import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestServer, tempDir, type TestServer } from '../support/test-server.js';
import { runCli } from '../support/cli.js';

const root = path.resolve(import.meta.dirname, '../..');
const dirs: string[] = [];
let server: TestServer | undefined;
afterAll(async () => {
  await server?.close();
  dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
});

const cli = (args: string[]) => runCli(args);

/** The remote variant runs while this process serves, so it must not block the event loop (spawnSync would). */
function cliAsync(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/cli/main.ts', ...args], {
      cwd: root,
      env: { ...process.env, BMAD_OPS_LOG_LEVEL: 'silent' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('bmad-ops import-bmad', () => {
  it('imports a v4 project into a data dir; a second import adds nothing', () => {
    const dataDir = tempDir('bmad-ops-import-');
    dirs.push(dataDir);
    const first = cli(['import-bmad', 'examples/bmad-v4-sample', '--data-dir', dataDir]);
    expect(first.stderr).not.toMatch(/import failed/);
    expect(first.stdout).toMatch(/imported .* \(v4\): 7 stories, \d+ documents; \d+ events new, 0 already known, 0 rejected/);
    const again = cli(['import-bmad', 'examples/bmad-v4-sample', '--data-dir', dataDir]);
    expect(again.stderr).toBe('');
    // Only the sync health reports are new on a re-import.
    expect(again.stdout).toMatch(/; 4 events new, \d+ already known, 0 rejected/);
  });

  it('imports into a running server through the ingestion API, and names the problem with a bad key or folder', async () => {
    server = await startTestServer();
    const ok = await cliAsync(['import-bmad', 'examples/bmad-v6-sample', '--url', server.url, '--key', server.keys.ingest]);
    expect(ok.stdout).toMatch(/imported Streakly \(v6\): 13 stories/);
    // The sample has a drifting story and an unknown status: reported as warnings with file and line.
    expect(ok.stderr).toMatch(/warning: .*2-1-streak-calculation\.md:3: .*sprint-status\.yaml says "done"/);
    const board = (await (await server.get('/api/v1/kanban/board?projectId=bmad%3Astreakly')).json()) as { columns: { count: number }[] };
    expect(board.columns.reduce((n, c) => n + c.count, 0)).toBe(13);

    const badKey = await cliAsync(['import-bmad', 'examples/bmad-v6-sample', '--url', server.url, '--key', server.keys.read]);
    expect(badKey.code).toBe(1);
    expect(badKey.stderr).toMatch(/refused the key \(403\)/);

    const notBmad = cli(['import-bmad', 'docs']);
    expect(notBmad.code).toBe(1);
    expect(notBmad.stderr).toMatch(/docs.*BMAD/i);
    const missing = cli(['import-bmad', 'no/such/dir']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/no\/such\/dir is not a directory/);
  }, 90_000);
});
