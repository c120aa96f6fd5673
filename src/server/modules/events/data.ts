/**
 * The events module's data surface: its repositories and the version helpers other repositories use, without the
 * routes and services that index.ts also exports. The analytics rollup's worker thread loads only this, so its
 * isolate does not hold Express, the auth module and every contract schema it never calls.
 */
export { eventsRepository } from './events.repository.js';
export type { EventHeader, StatusHistoryEntry } from './events.repository.js';
export { stampOf } from './projection.js';
export { retentionRepository } from './retention.repository.js';
