import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { kanbanBoardSchema, loginResponseSchema } from '../../src/contracts/index.js';
import { tempDir } from '../support/test-server.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const dirs: string[] = [];
let child: ChildProcess | undefined;
afterAll(() => {
  child?.kill('SIGKILL');
  dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
});

/**
 * The package as a user gets it: packed with `npm pack` (what `files` lets in), installed from the tarball into an empty
 * prefix (dependencies from the registry, the SQLite binding built on install), then `bmad-ops` with no arguments in a
 * copy of the sample BMAD project, as `npx bmad-ops` runs it there.
 */
describe('the packed package', () => {
  it(
    'installs from its tarball and, run in a BMAD project folder with no flags, serves that project with its data per user',
    { timeout: 600_000 },
    async () => {
      const work = tempDir('bmad-ops-pack-');
      dirs.push(work);
      const stage = path.join(work, 'stage');
      // A staging copy, so the pack never rewrites the checkout's own dist/ while other tests use it.
      await run(
        process.execPath,
        [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.build.json'), '--outDir', path.join(stage, 'dist')],
        { cwd: root },
      );
      expect(fs.existsSync(path.join(root, 'dist/web/index.html')), 'dist/web is built by `npm test` before the tests run').toBe(true);
      fs.cpSync(path.join(root, 'dist/web'), path.join(stage, 'dist/web'), { recursive: true });
      for (const entry of ['bin', 'pricing', 'examples', 'README.md', 'package.json'])
        fs.cpSync(path.join(root, entry), path.join(stage, entry), { recursive: true });
      const packed = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: stage, maxBuffer: 64 * 1024 * 1024 });
      const [{ filename, files }] = JSON.parse(packed.stdout) as [{ filename: string; files: { path: string }[] }];
      const paths = files.map((f) => f.path);
      // Only what runs: no sources, tests, benchmarks or source maps.
      expect(paths.filter((p) => /^(src|tests|bench|scripts)\//.test(p) || p.endsWith('.map'))).toEqual([]);
      expect(paths).toEqual(
        expect.arrayContaining([
          'bin/bmad-ops.js',
          'dist/server/cli/main.js',
          'dist/web/index.html',
          'pricing/claude.json',
          'examples/bmad-v6-sample-history.json',
          'examples/bmad-v6-sample-claude/README.md',
        ]),
      );

      const prefix = path.join(work, 'prefix');
      await run('npm', ['install', '--global', '--prefix', prefix, '--no-audit', '--no-fund', path.join(work, filename)], {
        cwd: work,
        maxBuffer: 64 * 1024 * 1024,
        timeout: 540_000,
      });
      const bin = path.join(prefix, 'bin', 'bmad-ops');
      expect(fs.existsSync(bin)).toBe(true);

      const project = path.join(work, 'streakly');
      fs.cpSync(path.join(root, 'examples/bmad-v6-sample'), project, { recursive: true });
      const home = path.join(work, 'home');
      fs.mkdirSync(home);
      const env = { ...process.env, HOME: home, BMAD_OPS_ADMIN_PASSWORD: 'package test password', BMAD_OPS_LOG_LEVEL: 'warn' };
      for (const k of Object.keys(env)) if (/^(BMAD_OPS_(?!ADMIN_PASSWORD|LOG_LEVEL)|XDG_DATA_HOME$)/.test(k)) delete env[k as keyof typeof env];
      child = spawn(bin, [], { cwd: project, env });
      let out = '';
      child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no banner in 60 s:\n${out}`)), 60_000);
        const check = () => {
          const m = /BMAD Ops is running at (http:\/\/\S+)/.exec(out);
          if (m && /BMAD project "Streakly"/.test(out)) {
            clearTimeout(timer);
            resolve(m[1]!);
          }
        };
        child!.stdout!.on('data', check);
        child!.on('exit', (code) => reject(new Error(`bmad-ops exited (${code}):\n${out}`)));
      });
      // Data in the per-user directory, never in the project.
      expect(fs.existsSync(path.join(home, '.local/share/bmad-ops/bmad-ops.sqlite'))).toBe(true);
      expect(fs.existsSync(path.join(project, 'data'))).toBe(false);
      expect(out).toMatch(/First start: created manager account admin@localhost/);

      const login = loginResponseSchema.parse(
        await (
          await fetch(`${url}/api/v1/auth/login`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ email: 'admin@localhost', password: 'package test password', issueToken: true }),
          })
        ).json(),
      );
      const board = kanbanBoardSchema.parse(
        await (await fetch(`${url}/api/v1/kanban/board?projectId=bmad%3Astreakly`, { headers: { authorization: `Bearer ${login.token}` } })).json(),
      );
      expect(board.columns.reduce((n, c) => n + c.count, 0)).toBe(13);
      expect(board.columns.map((c) => c.key)).toEqual(
        expect.arrayContaining(['backlog', 'ready-for-dev', 'in-progress', 'review', 'done', 'awaiting-operator']),
      );
      const page = await fetch(`${url}/kanban?projectId=bmad%3Astreakly`);
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/<div id="root">/);
    },
  );
});
