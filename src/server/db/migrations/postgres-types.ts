/**
 * The released migrations were written for SQLite, and their SQL there is checksummed: it cannot change. On Postgres
 * the same statements are compiled and then given Postgres's types here, in one place:
 * - SQLite's `integer` is 64-bit; Postgres's is 32-bit and would overflow on millisecond times and token sums: bigint.
 * - SQLite's `real` is an 8-byte float; Postgres's is 4 bytes and would round costs: double precision.
 * - `without rowid` is a SQLite storage option with no meaning elsewhere.
 * The checksum recorded on Postgres is over the statements after this step, so it is as stable as SQLite's.
 */
export function toPostgresTypes(statement: string): string {
  return statement
    .replace(/ without rowid\s*$/i, '')
    .replace(/(["\w]+ )integer\b/g, '$1bigint')
    .replace(/(["\w]+ )real\b/g, '$1double precision');
}
