import type { IncomingMessage } from 'node:http';
import { parse as parseCookies } from 'cookie';
import { CLOSE_CODES } from '../../../contracts/index.js';
import type { Config } from '../../config.js';
import type { Forwarded } from '../../http/forwarded.js';
import { sessionCookieName } from '../auth/index.js';
import type { AuthService, EndedCredentials } from '../auth/index.js';
import { sentByOf, type Principal } from '../auth/index.js';
import type { Connection } from './connection.js';
import type { Fail } from './fail.js';

export interface CookieCredentials {
  principal: Principal;
  token: string;
}

/** A browser may authenticate with its session cookie, but only from our own origin (no cross-site hijacking). */
export async function cookiePrincipal(req: IncomingMessage, auth: AuthService, fwd: Forwarded): Promise<CookieCredentials | undefined> {
  const header = req.headers.cookie;
  if (!header) return undefined;
  const origin = req.headers.origin;
  if (origin !== undefined) {
    try {
      if (new URL(origin).host !== req.headers.host) return undefined;
    } catch {
      return undefined;
    }
  }
  const token = parseCookies(header)[sessionCookieName(fwd.secure(req))];
  if (!token || token.length > 512) return undefined;
  const principal = await auth.resolveToken(token).catch(() => undefined);
  return principal?.kind === 'user' ? { principal, token } : undefined;
}

/** Why a new socket is refused before the upgrade (caps overall, per address, and on sockets not yet signed in). */
export function admissionRefusal(connections: ReadonlySet<Connection>, address: string, rt: Config['realtime']): string | null {
  if (connections.size >= rt.maxConnections) return 'too many open connections; retry later';
  let fromAddress = 0;
  let waiting = 0;
  for (const c of connections) {
    if (c.address === address) fromAddress++;
    if (c.phase === 'awaiting_auth') waiting++;
  }
  if (fromAddress >= rt.maxConnectionsPerAddress) return 'too many open connections from this address';
  if (waiting >= rt.maxUnauthenticated) return 'too many connections waiting to authenticate; retry later';
  return null;
}

/** How many other ready connections the same account or key already has open. */
export function openConnectionsOf(connections: Iterable<Connection>, conn: Connection, principal: Principal): number {
  const who = sentByOf(principal);
  let mine = 0;
  for (const c of connections) if (c !== conn && c.phase === 'ready' && c.principal && sentByOf(c.principal) === who) mine++;
  return mine;
}

/**
 * Keeps authenticated sockets honest: a session that expired or a key that was revoked after the connection
 * authenticated must not keep streaming.
 */
export class CredentialsWatch {
  private version = 0;

  constructor(
    private readonly auth: AuthService,
    private readonly connections: () => Iterable<Connection>,
    private readonly fail: Fail,
  ) {}

  async init(): Promise<void> {
    this.version = await this.auth.credentialsVersion();
  }

  /** Another process (the CLI) disabled an account or revoked a key: every socket is re-checked now, not in a minute. */
  async poll(): Promise<void> {
    const version = await this.auth.credentialsVersion().catch(() => this.version);
    if (version === this.version) return;
    this.version = version;
    await this.recheckAll();
  }

  /**
   * The periodic pass: it is what catches changes made elsewhere (the CLI runs in its own process) and plain expiry.
   */
  recheckAll(): Promise<void> {
    return this.recheck([...this.connections()]);
  }

  /**
   * A manager in this process disabled an account, ended its sessions or reset its password (or revoked a key): its
   * sockets are checked now rather than at the next periodic pass. Each is re-resolved, not closed blindly, so the
   * session that changed its own password keeps streaming while the others end.
   */
  onEnded(ended: EndedCredentials): void {
    const affected = [...this.connections()].filter((c) => {
      const p = c.principal;
      return ended.kind === 'user' ? p?.kind === 'user' && p.userId === ended.userId : p?.kind === 'key' && p.keyId === ended.keyId;
    });
    if (affected.length > 0) void this.recheck(affected);
  }

  private async recheck(connections: readonly Connection[]): Promise<void> {
    for (const conn of connections) {
      if (conn.phase !== 'ready' || conn.token === undefined) continue;
      const principal = await this.auth.resolveToken(conn.token).catch(() => undefined);
      if (!principal && conn.phase === 'ready') {
        this.fail(conn, 'credentials_expired', 'the session ended or expired, or the key was revoked: sign in again', CLOSE_CODES.unauthorized);
      }
    }
  }
}
