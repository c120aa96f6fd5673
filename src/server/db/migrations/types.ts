import type { Compilable, Kysely } from 'kysely';

export type SqlDialectName = 'sqlite' | 'postgres';

/**
 * A migration is a list of statements built with Kysely's schema builder. The migrator compiles them, so the
 * checksum it stores is over the SQL itself — identical whichever transpiler loaded the file.
 */
export interface Migration {
  version: number;
  name: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations describe tables before types exist
  statements(db: Kysely<any>, dialect: SqlDialectName): Compilable[];
}
