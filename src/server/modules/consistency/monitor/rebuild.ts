import type { ConsistencyFinding } from '../../../../contracts/index.js';
import type { Executor } from '../../../db/handle.js';
import { migrate } from '../../../db/migrator.js';
import { openScratchSqlite } from '../../../db/sqlite-scratch.js';
import { usersRepository } from '../../auth/index.js';
import { eventsRepository, rowToStoredEvent } from '../../events/index.js';
import type { ProjectionEngine } from '../../events/index.js';
import { READ_MODEL_TABLES, type ReadModelTable } from './read-model-tables.js';
import { tableRows, tableShape, type Row } from './tables.repository.js';

/** A finding about one row, with the project (and story) it belongs to when the row says. */
export interface RowFinding extends ConsistencyFinding {
  projectId: string | null;
}

const PAGE = 2000;
const MAX_FINDINGS = 500;
const LABEL = 64;

const nextTurn = () => new Promise<void>((r) => setImmediate(r));

/** A value as a finding shows it (labels are at most 64 characters). */
function shown(v: unknown): string {
  // eslint-disable-next-line no-control-regex -- a finding's label is one line of plain text
  const s = (v === null || v === undefined ? 'nothing' : typeof v === 'string' ? v : JSON.stringify(v)).replace(/[\u0000-\u001f\u007f]+/g, ' ');
  return s.length > LABEL ? `${s.slice(0, LABEL - 1)}…` : s;
}

/** Sums folded in a different grouping differ in the last bits; anything beyond that is a real difference. */
function same(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b || Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
  return a === b;
}

function ownerOf(table: ReadModelTable, row: Row): { projectId: string | null; storyId: string | null } {
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  if (table === 'projects') return { projectId: str(row.id), storyId: null };
  if (table === 'stories') return { projectId: str(row.project_id), storyId: str(row.id) };
  return { projectId: str(row.project_id), storyId: str(row.story_id) };
}

export function compareTable(
  table: ReadModelTable,
  key: readonly string[],
  columns: readonly string[],
  live: readonly Row[],
  rebuilt: readonly Row[],
  out: RowFinding[],
): void {
  const id = (r: Row) => key.map((k) => String(r[k])).join(' / ');
  const rebuiltById = new Map(rebuilt.map((r) => [id(r), r]));
  const liveIds = new Set<string>();
  const push = (f: Omit<RowFinding, 'kind' | 'file' | 'line'>) => {
    if (out.length < MAX_FINDINGS) out.push({ kind: 'projection_mismatch', file: null, line: null, ...f, message: f.message.slice(0, 1000) });
  };
  for (const row of live) {
    const rowId = id(row);
    liveIds.add(rowId);
    const other = rebuiltById.get(rowId);
    const owner = ownerOf(table, row);
    if (!other) {
      push({
        ...owner,
        entity: `${table} ${rowId}`,
        field: null,
        actual: 'present',
        expected: 'absent',
        message: `${table} ${rowId} is in the read model but no event in the log makes it`,
      });
      continue;
    }
    for (const c of columns) {
      if (same(row[c], other[c])) continue;
      push({
        ...owner,
        entity: `${table} ${rowId}`.slice(0, 200),
        field: c,
        actual: shown(row[c]),
        expected: shown(other[c]),
        message: `${table} ${rowId}: ${c} is ${shown(row[c])} in the read model but ${shown(other[c])} rebuilt from the log`,
      });
    }
  }
  for (const [rowId, row] of rebuiltById) {
    if (liveIds.has(rowId)) continue;
    push({
      ...ownerOf(table, row),
      entity: `${table} ${rowId}`.slice(0, 200),
      field: null,
      actual: 'absent',
      expected: 'present',
      message: `${table} ${rowId} is missing from the read model; the log makes it`,
    });
  }
}

/**
 * Rebuilds every read model from the log as of `snapshot` (events up to its head) into a scratch database with the
 * production projections, then compares them row by row and field by field with the live ones in the same snapshot.
 */
export async function rebuildAndCompare(
  snapshot: Executor,
  engine: ProjectionEngine,
  through: number,
): Promise<{ findings: RowFinding[]; eventsRead: number; tables: number }> {
  const scratch = openScratchSqlite();
  try {
    await migrate(scratch);
    // People with accounts exist before any event: the users projection must see them as live does.
    await usersRepository.copyRows(scratch.write, await usersRepository.localAccountRows(snapshot));
    let after = 0;
    let eventsRead = 0;
    for (;;) {
      const rows = await eventsRepository.rowsBetween(snapshot, after, through, PAGE);
      if (rows.length === 0) break;
      await scratch.write.transaction().execute(async (trx) => {
        await eventsRepository.copyRows(trx, rows);
        await engine.apply(
          trx,
          rows.map((r) => rowToStoredEvent(r)),
        );
      });
      eventsRead += rows.length;
      after = Number(rows[rows.length - 1]!.id);
      await nextTurn();
    }
    const findings: RowFinding[] = [];
    for (const table of READ_MODEL_TABLES) {
      const shape = await tableShape(snapshot, table);
      compareTable(table, shape.key, shape.columns, await tableRows(snapshot, table, shape), await tableRows(scratch.read, table, shape), findings);
      await nextTurn();
    }
    return { findings, eventsRead, tables: READ_MODEL_TABLES.length };
  } finally {
    await scratch.close();
  }
}
