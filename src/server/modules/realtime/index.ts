/** The realtime module's surface: the only file of it that code outside the module imports. */
export { RealtimeGateway } from './realtime.gateway.js';
export { SnapshotService } from './snapshot.service.js';
