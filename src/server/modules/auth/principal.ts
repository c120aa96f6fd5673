import type { KeyScope, Role } from '../../../contracts/index.js';

export type Principal =
  | {
      kind: 'user';
      userId: string;
      role: Role;
      sessionId: string;
      /** Signed in with a password someone else chose: only the session itself and changing it are allowed. */
      mustChangePassword: boolean;
    }
  | {
      kind: 'key';
      keyId: string;
      name: string;
      scopes: KeyScope[];
      /** Bound to one project (ingest only), or null. */
      projectId: string | null;
      /** The event sources it may write; null for keys made before sources were bound (any but the server's own). */
      sources: string[] | null;
    };

/** How a principal is recorded on the events it delivers. */
export const sentByOf = (p: Principal): string => (p.kind === 'key' ? `key:${p.keyId}` : `user:${p.userId}`);

/** What a route needs from its caller. */
export type Access = 'read' | 'ingest' | 'metrics' | 'session' | 'operate' | 'manage';

export const PASSWORD_CHANGE_REQUIRED = 'choose your own password first (POST /api/v1/auth/me/password)';

/** Returns null when allowed, otherwise why not (for the 403 message). */
export function denialReason(p: Principal, access: Access): string | null {
  if (p.kind === 'user') {
    if (p.mustChangePassword && access !== 'session') return PASSWORD_CHANGE_REQUIRED;
    switch (access) {
      case 'read':
      case 'session':
        return null;
      case 'operate':
        return p.role === 'viewer' ? 'requires the operator or manager role (you are viewer)' : null;
      case 'metrics':
      case 'manage':
        return p.role === 'manager' ? null : `requires the manager role (you are ${p.role})`;
      case 'ingest':
        return 'ingestion requires an API key with the ingest scope';
    }
  }
  switch (access) {
    case 'read':
    case 'ingest':
    case 'metrics':
      return p.scopes.includes(access) ? null : `this API key lacks the ${access} scope`;
    case 'session':
      return 'this endpoint needs a signed-in user, not an API key';
    case 'operate':
      return 'this action is made by a signed-in operator or manager, not an API key';
    case 'manage':
      return 'this endpoint needs a manager account';
  }
}
