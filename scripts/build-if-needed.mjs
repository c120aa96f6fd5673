#!/usr/bin/env node
// `npm start` calls this: it rebuilds the server (tsc) and the web app (vite) only when a source is newer than the
// build, so a restart is instant and a fresh checkout or an edit is never served stale.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const at = (...p) => path.join(root, ...p);

function newest(target) {
  if (!existsSync(target)) return 0;
  const st = statSync(target);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = 0;
  for (const entry of readdirSync(target)) max = Math.max(max, newest(path.join(target, entry)));
  return max;
}

const stamp = (file) => (existsSync(file) ? statSync(file).mtimeMs : -1);
const shared = Math.max(newest(at('package-lock.json')), newest(at('src', 'contracts')));
const targets = [
  {
    name: 'server',
    output: at('dist', 'server', 'cli', 'main.js'),
    inputs: Math.max(shared, newest(at('src', 'server')), newest(at('tsconfig.build.json')), newest(at('tsconfig.json'))),
    script: 'build:server',
  },
  {
    name: 'web app',
    output: at('dist', 'web', 'index.html'),
    inputs: Math.max(shared, newest(at('src', 'web')), newest(at('vite.config.ts')), newest(at('tsconfig.web.json'))),
    script: 'build:web',
  },
];

for (const t of targets) {
  if (stamp(t.output) >= t.inputs) continue;
  process.stdout.write(`Building the ${t.name}…\n`);
  execFileSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', '--silent', t.script], { cwd: root, stdio: 'inherit' });
}
