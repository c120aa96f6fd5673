import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliAsync } from '../support/cli.js';
import { ADMIN, startTestServer, type TestServer } from '../support/test-server.js';

/** A Postgres installation is backed up with Postgres's tools: the SQLite backup paths say so instead of failing. */
let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ backend: 'postgres' });
});
afterAll(async () => t?.close());

describe('backups on PostgreSQL', () => {
  it('GET /admin/backup answers 409 backup_unsupported, naming pg_dump; `bmad-ops backup` refuses the same way', async () => {
    const login = await t.post('/api/v1/auth/login', { email: ADMIN.email, password: ADMIN.password, issueToken: true }, null);
    const { token } = (await login.json()) as { token: string };
    const r = await t.get('/api/v1/admin/backup', token);
    expect(r.status).toBe(409);
    const body = (await r.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('backup_unsupported');
    expect(body.error.message).toContain('pg_dump');

    const cli = await runCliAsync(['backup', '--to', `${t.dataDir}/copy.sqlite`, '--data-dir', t.dataDir]);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain('pg_dump');
  });
});
