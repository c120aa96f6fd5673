export * from './status-model.js';
export * from './primitives.js';
export * from './events.js';
export * from './event-parser.js';
export * from './validation.js';
export * from './api.js';
export * from './ingestion.js';
export * from './realtime.js';
