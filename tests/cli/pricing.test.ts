import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/test-server.js';

const root = path.resolve(import.meta.dirname, '../..');
const ENV = { ...process.env, BMAD_OPS_LOG_LEVEL: 'silent', BMAD_OPS_PRICING_FILE: '' };
const cli = (args: string[]) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/server/cli/main.ts', ...args], { cwd: root, env: ENV, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

describe('bmad-ops pricing', () => {
  const dir = tempDir('bmad-ops-pricing-cli-');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const dataDir = path.join(dir, 'data');

  it('installs a valid table for the data dir, and refuses a bad one naming the file and the field', () => {
    const good = path.join(dir, 'good.json');
    const shipped = JSON.parse(fs.readFileSync(path.join(root, 'pricing/claude.json'), 'utf8')) as { version: string; models: Record<string, unknown> };
    fs.writeFileSync(good, JSON.stringify({ ...shipped, version: 'team-2027-01' }));
    const ok = cli(['pricing', 'update', good, '--data-dir', dataDir]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/pricing table team-2027-01 \(\d+ models\) installed in .*pricing\.json/);
    expect(cli(['pricing', 'show', '--data-dir', dataDir]).stdout).toMatch(/^pricing table team-2027-01 \(USD/);

    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(
      bad,
      JSON.stringify({
        version: 'x',
        currency: 'USD',
        models: { 'claude-x': { prices: [{ effectiveFrom: '2026-01-01', input: -1, output: 1, cacheWrite: 1, cacheRead: 1 }] } },
      }),
    );
    const refused = cli(['pricing', 'update', bad, '--data-dir', dataDir]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/bad\.json is invalid:\n\s+models\.claude-x\.prices\.0\.input/);
    // The installed table is untouched.
    expect(cli(['pricing', 'show', '--data-dir', dataDir]).stdout).toMatch(/^pricing table team-2027-01/);

    const missing = cli(['pricing', 'update', path.join(dir, 'nope.json'), '--data-dir', dataDir]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/nope\.json: ENOENT/);
  }, 60_000);
});
