import { initialSchema } from './001-initial-schema.js';
import { bmadConnector } from './002-bmad-connector.js';
import { costCoverage } from './003-cost-coverage.js';
import type { Migration } from './types.js';

/** Forward-only, in order. Never edit a released migration: add the next one. */
export const MIGRATIONS: readonly Migration[] = [initialSchema, bmadConnector, costCoverage];
