import { openPostgres } from '../../src/server/db/postgres-connection.js';
import { createTestSchema, dropTestSchema, TEST_DATABASE_URL } from '../support/postgres.js';
import { describeRepositoryContract } from './repository-contract.js';

const schemas = new Map<unknown, string>();

describeRepositoryContract('Postgres', {
  async open() {
    const schema = await createTestSchema('contract');
    const handle = openPostgres({ url: TEST_DATABASE_URL, poolSize: 4, schema, lockTimeoutMs: 2_000 });
    schemas.set(handle, schema);
    return handle;
  },
  async dispose(handle) {
    await handle.close();
    await dropTestSchema(schemas.get(handle)!);
    schemas.delete(handle);
  },
});
