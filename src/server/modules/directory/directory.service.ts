import type { Directory } from '../../../contracts/index.js';
import type { DatabaseHandle } from '../../db/handle.js';
import { agentsRepository } from '../agents/index.js';
import { usersRepository } from '../auth/index.js';
import { projectsRepository } from '../projects/index.js';

/** Rows per list: enough for every label and filter choice a team has, bounded so the answer stays small. */
export const DIRECTORY_LIMIT = 2000;

/** Names for the ids the read models carry (projects, agents, people), for labels and filter choices. */
export class DirectoryService {
  constructor(private readonly db: DatabaseHandle) {}

  async get(): Promise<Directory> {
    const db = this.db.read;
    const [projects, agents, people] = await Promise.all([
      projectsRepository.directory(db, DIRECTORY_LIMIT),
      agentsRepository.list(db, DIRECTORY_LIMIT),
      usersRepository.people(db, DIRECTORY_LIMIT),
    ]);
    return { projects, agents: agents.map(({ id, name, type }) => ({ id, name, type })), people };
  }
}
