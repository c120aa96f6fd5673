import { sql } from 'kysely';

/** Postgres's own time in ms: instances compare lease and presence times by one clock, not by theirs. */
export const DB_NOW_MS = sql<number>`(extract(epoch from clock_timestamp()) * 1000)::bigint`;
