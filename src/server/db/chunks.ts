/**
 * Rows per multi-row statement. SQLite caps bound parameters (32,766 in this build) and Postgres at 65,535; 500 rows
 * of our widest table (15 columns) stays far below both while keeping statements few.
 */
export const ROWS_PER_STATEMENT = 500;

export function chunks<T>(items: readonly T[], size = ROWS_PER_STATEMENT): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
