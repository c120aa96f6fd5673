/** The events module's surface: the only file of it that code outside the module imports, with data.ts (its repositories alone). */
export { EventPublisher, type CommitSink } from './event-publisher.js';
export { EventWriter, WriterOverloadedError } from './event-writer.js';
export { WriterThreadExitedError } from './writer-thread/messages.js';
export { WriterThread } from './writer-thread/writer-thread.js';
export { eventsRepository, rowToStoredEvent } from './events.repository.js';
export type { StatusHistoryEntry } from './events.repository.js';
export { SERVER_SOURCES } from './ingest-policy.js';
export { ingestionRoutes } from './ingestion.routes.js';
export { IngestionService } from './ingestion.service.js';
export { ProjectionEngine, isNewer, maxInstant, minInstant, versionOf } from './projection.js';
export type { Projection } from './projection.js';
export { retentionRepository } from './retention.repository.js';
export { RetentionService } from './retention.service.js';
export type { StoredEvent, StoredEventOf } from './stored-event.js';
export { UiCommand } from './ui-command.js';
export type { UiActor, UiAudit } from './ui-command.js';
