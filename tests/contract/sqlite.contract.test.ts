import fs from 'node:fs';
import path from 'node:path';
import { openSqlite } from '../../src/server/db/sqlite-connection.js';
import { tempDir } from '../support/test-server.js';
import { describeRepositoryContract } from './repository-contract.js';

const dirs = new Map<unknown, string>();

describeRepositoryContract('SQLite', {
  async open() {
    const dir = tempDir('bmad-ops-contract-');
    const handle = openSqlite({ file: path.join(dir, 'contract.sqlite'), busyTimeoutMs: 100 });
    dirs.set(handle, dir);
    return handle;
  },
  async dispose(handle) {
    await handle.close();
    fs.rmSync(dirs.get(handle)!, { recursive: true, force: true });
    dirs.delete(handle);
  },
});
