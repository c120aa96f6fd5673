import { randomBytes } from 'node:crypto';
import type { Clock } from '../../../clock.js';

/** What a sign-in must remember between sending the browser to the provider and its return. */
export interface PendingSignIn {
  state: string;
  nonce: string;
  codeVerifier: string;
  /** Where to go once signed in: a path on this site. */
  next: string;
}

/**
 * Sign-ins under way, by a random handle the browser keeps in a short-lived HttpOnly cookie. Each is taken once (a
 * replayed callback finds nothing), expires after `ttlMs`, and the store is capped so anonymous clicks cannot grow it
 * without bound. In memory: a restart only costs the people mid-way one more click.
 */
export class PendingSignIns {
  private readonly byHandle = new Map<string, PendingSignIn & { expiresAt: number }>();

  constructor(
    private readonly clock: Clock,
    readonly ttlMs = 10 * 60_000,
    private readonly capacity = 10_000,
  ) {}

  add(pending: PendingSignIn): string {
    const now = this.clock.now().getTime();
    // Insertion order is expiry order (one ttl for all), so the stale ones are at the front.
    for (const [handle, p] of this.byHandle) {
      if (p.expiresAt > now && this.byHandle.size < this.capacity) break;
      this.byHandle.delete(handle);
    }
    const handle = randomBytes(32).toString('base64url');
    this.byHandle.set(handle, { ...pending, expiresAt: now + this.ttlMs });
    return handle;
  }

  take(handle: string | undefined): PendingSignIn | undefined {
    if (handle === undefined) return undefined;
    const p = this.byHandle.get(handle);
    if (!p) return undefined;
    this.byHandle.delete(handle);
    if (p.expiresAt <= this.clock.now().getTime()) return undefined;
    const { expiresAt: _expiresAt, ...pending } = p;
    return pending;
  }

  get size(): number {
    return this.byHandle.size;
  }
}
