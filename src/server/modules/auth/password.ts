import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const KEY_LENGTH = 32;

function scryptAsync(password: string, salt: Buffer, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, opts, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

function options(costLog2: number): ScryptOptions {
  const N = 2 ** costLog2;
  // maxmem must exceed 128 * N * r bytes or node refuses the parameters.
  return { N, r: 8, p: 1, maxmem: 256 * N * 8 + 1024 * 1024 };
}

/** scrypt (memory-hard): `scrypt$<log2 N>$<salt b64url>$<hash b64url>`. The cost travels with the hash. */
export async function hashPassword(password: string, costLog2: number): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, options(costLog2));
  return `scrypt$${costLog2}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, cost, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !cost || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await scryptAsync(password, Buffer.from(salt, 'base64url'), options(Number(cost)));
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A hash made at a lower cost than today's (or in an unknown scheme): rehash it at the next successful sign-in. */
export function needsRehash(stored: string, costLog2: number): boolean {
  const [scheme, cost] = stored.split('$');
  return scheme !== 'scrypt' || Number(cost) < costLog2;
}

/** Readable, high-entropy password for the bootstrap account (about 120 bits). */
export function generatePassword(): string {
  return randomBytes(15).toString('base64url').replace(/[-_]/g, 'x');
}
