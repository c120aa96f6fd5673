import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/server/config.js';
import { openTestDb } from '../support/test-db.js';
import { ADMIN, startTestServer, tempDir } from '../support/test-server.js';

const dataDir = tempDir('bmad-ops-rehash-');
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

const storedHash = async () => {
  const db = openTestDb(dataDir, { readonly: true });
  try {
    return (await db.get<{ password_hash: string }>('select password_hash from users where email = ?', ADMIN.email))!.password_hash;
  } finally {
    await db.close();
  }
};

describe('password hashing cost', () => {
  it('defaults to scrypt N = 2^17 (OWASP)', () => {
    expect(configSchema.parse({}).auth.scryptCostLog2).toBe(17);
  });

  it('rehashes a password stored at a lower cost at the next successful sign-in, and only then', async () => {
    const old = await startTestServer({ dataDir, config: { auth: { scryptCostLog2: 10 } } });
    await old.close();
    expect(await storedHash()).toMatch(/^scrypt\$10\$/);
    const t = await startTestServer({ dataDir, config: { auth: { scryptCostLog2: 11 } } });
    try {
      const login = (password: string) => t.post('/api/v1/auth/login', { email: ADMIN.email, password }, null);
      expect((await login('not the password at all')).status).toBe(401);
      expect(await storedHash()).toMatch(/^scrypt\$10\$/);
      expect((await login(ADMIN.password)).status).toBe(200);
      expect(await storedHash()).toMatch(/^scrypt\$11\$/);
      // The new hash still signs in.
      expect((await login(ADMIN.password)).status).toBe(200);
    } finally {
      await t.close();
    }
  });
});
