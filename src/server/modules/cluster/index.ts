export { startCluster, newInstanceId, type Cluster } from './cluster.js';
export type { LeasedJob } from './lease-manager.js';
export { OrderedRelay } from './ordered-relay.js';
export { SharedRateLimitStore } from './shared-rate-limit-store.js';
export { WsPresence } from './ws-presence.js';
