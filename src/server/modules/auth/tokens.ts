import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** API keys look like `bmo_<id>_<secret>`: the id finds the row, the secret is checked against a stored hash. */
export const API_KEY_PREFIX = 'bmo_';
/** Session tokens: `bms_<secret>`, stored only as a hash. */
export const SESSION_PREFIX = 'bms_';

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

export function newApiKey(): { id: string; secret: string; key: string } {
  const id = randomBytes(6).toString('hex');
  const secret = randomBytes(24).toString('base64url');
  return { id, secret, key: `${API_KEY_PREFIX}${id}_${secret}` };
}

export function parseApiKey(token: string): { id: string; secret: string } | undefined {
  const m = /^bmo_([0-9a-f]{12})_([A-Za-z0-9_-]{32})$/.exec(token);
  return m ? { id: m[1]!, secret: m[2]! } : undefined;
}

export function newSessionToken(): string {
  return `${SESSION_PREFIX}${randomBytes(32).toString('base64url')}`;
}
