import type { ActorRef } from '../../../contracts/index.js';
import type { DatabaseHandle } from '../../db/handle.js';
import type { AuditEntry } from '../audit/index.js';
import { apiKeysRepository } from '../auth/index.js';
import { usersRepository, type UserRow } from '../auth/index.js';

type Actor = Pick<AuditEntry, 'actorType' | 'actorId'>;

/** What a person is called on screen: the name they gave, else their email; null for an id nobody described. */
export const personName = (row: UserRow | undefined): string | null => row?.display_name ?? row?.email ?? null;

/**
 * Names for the actors of audit entries, resolved in one round per kind: people (a failed sign-in is anonymous but
 * names the account it tried) and keys by their name; the CLI is recorded with the system user who ran it.
 */
export async function actorNamer(db: DatabaseHandle, actors: readonly Actor[]): Promise<(a: Actor) => ActorRef> {
  const ids = (types: readonly Actor['actorType'][]) => [
    ...new Set(actors.filter((a) => types.includes(a.actorType) && a.actorId !== null).map((a) => a.actorId!)),
  ];
  const [people, keys] = await Promise.all([
    usersRepository.rowsByIds(db.read, ids(['user', 'anonymous'])),
    apiKeysRepository.namesByIds(db.read, ids(['key'])),
  ]);
  return (a) => {
    const id = a.actorId ?? null;
    const name =
      id === null
        ? null
        : a.actorType === 'user' || a.actorType === 'anonymous'
          ? personName(people.get(id))
          : a.actorType === 'key'
            ? (keys.get(id) ?? null)
            : a.actorType === 'cli'
              ? id
              : null;
    return { type: a.actorType, id, name };
  };
}
