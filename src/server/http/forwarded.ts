import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import proxyaddr from 'proxy-addr';
import type { Config } from '../config.js';

export interface Forwarded {
  /** The client's address: the socket's, or what the trusted proxies in front of it say. */
  address(req: IncomingMessage): string;
  /** HTTPS to the browser: our own TLS, or a trusted proxy's X-Forwarded-Proto. */
  secure(req: IncomingMessage): boolean;
}

/**
 * The same reading of X-Forwarded-* as Express's `trust proxy` (hop count or proxy addresses), for the WebSocket
 * upgrade, which never passes through Express: without it every browser behind a proxy would share the proxy's
 * per-address socket cap, and a TLS proxy's browsers would not get the `__Host-` cookie checked.
 */
export function forwarded(trust: Config['trustProxy']): Forwarded {
  const trusts: (addr: string, hop: number) => boolean =
    trust === false ? () => false : typeof trust === 'number' ? (_addr, hop) => hop < trust : proxyaddr.compile(trust);
  return {
    address: (req) => proxyaddr(req, trusts),
    secure(req) {
      if ((req.socket as TLSSocket).encrypted) return true;
      if (!trusts(req.socket.remoteAddress ?? '', 0)) return false;
      const proto = req.headers['x-forwarded-proto'];
      const first = (Array.isArray(proto) ? proto[0] : proto)?.split(',')[0]?.trim().toLowerCase();
      return first === 'https';
    },
  };
}
