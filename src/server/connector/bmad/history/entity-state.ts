import { createHash } from 'node:crypto';
import type { Status } from '../../../../contracts/index.js';
import type { BoardState } from '../parse/board.js';

/** Where one story or epic stands at a point of the history, and the transition that put it there. */
export interface EntityState {
  column: string | null;
  status: Status;
  /** The value as written (sprint-status, the story file, the plan). */
  sourceStatus: string | null;
  /** The key of the transition that established this state (chains the next transition's key). */
  key: string;
}

export type EntityMap = Map<string, EntityState>;

/** `story:<key>` / `epic:<key>`: one namespace for the entities a board holds. */
export const storyRef = (key: string) => `story:${key}`;
export const epicRef = (key: string) => `epic:${key}`;

export function entitiesOf(board: Pick<BoardState, 'stories' | 'epics'>, previous: ReadonlyMap<string, unknown> | null): Map<string, Omit<EntityState, 'key'>> {
  const out = new Map<string, Omit<EntityState, 'key'>>();
  for (const s of board.stories) out.set(storyRef(s.key), { column: s.column, status: s.status, sourceStatus: s.sourceStatus });
  for (const e of board.epics) {
    // An epic no file states a status for (only named by its stories) has no status history of its own.
    if (e.sourceStatus === null && !previous?.has(epicRef(e.key))) continue;
    out.set(epicRef(e.key), { column: e.sourceStatus, status: e.status, sourceStatus: e.sourceStatus });
  }
  return out;
}

/** One entity's state on a board, by its `story:<key>` / `epic:<key>` reference (null when the board lacks it). */
export function entityIn(board: Pick<BoardState, 'stories' | 'epics'>, id: string): Omit<EntityState, 'key'> | null {
  if (id.startsWith('story:')) {
    const key = id.slice(6);
    const s = board.stories.find((x) => x.key === key);
    return s ? { column: s.column, status: s.status, sourceStatus: s.sourceStatus } : null;
  }
  const key = id.slice(5);
  const e = board.epics.find((x) => x.key === key);
  return e ? { column: e.sourceStatus, status: e.status, sourceStatus: e.sourceStatus } : null;
}

const ROOT = 'root';

/**
 * A transition's key: the entity, where it went from and to, and the key of the transition before it. The same change
 * reported twice (seen in the working tree, then in its commit; a commit rewritten by a rebase) gets the same key, so
 * the read models keep it once; two different changes never share one.
 */
export function transitionKey(
  entity: string,
  from: Pick<EntityState, 'column' | 'status'> | null,
  to: Pick<EntityState, 'column' | 'status'>,
  prevKey: string | null,
): string {
  const side = (s: Pick<EntityState, 'column' | 'status'> | null) => (s === null ? '-' : `${s.status}/${s.column ?? ''}`);
  return `t${createHash('sha256')
    .update(`${entity}\n${side(from)}\n${side(to)}\n${prevKey ?? ROOT}`)
    .digest('hex')
    .slice(0, 32)}`;
}

export const sameState = (a: Pick<EntityState, 'column' | 'status'> | undefined, b: Pick<EntityState, 'column' | 'status'> | undefined): boolean =>
  a !== undefined && b !== undefined && a.column === b.column && a.status === b.status;

/** A removed story or epic (its files are gone): canceled, with no column. */
export const REMOVED: Pick<EntityState, 'column' | 'status' | 'sourceStatus'> = { column: null, status: 'canceled', sourceStatus: null };
