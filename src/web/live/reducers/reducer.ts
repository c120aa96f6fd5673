import type { QueryKey } from '@tanstack/react-query';

/** What a module reducer may do besides writing the query cache. */
export interface ReducerContext {
  /** Re-read a query (coalesced), for changes a patch cannot express. */
  invalidate(prefix: QueryKey): void;
  /** Briefly highlight the entities that changed. */
  flash(ids: Iterable<string>): void;
  now(): number;
}
