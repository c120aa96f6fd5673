import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { idSchema, keyScopeSchema, labelSchema, type KeyScope } from '../../contracts/index.js';
import { projectsRepository } from '../modules/projects/projects.repository.js';
import { createCore } from '../server.js';
import { configFrom, dataDirOption, parseWith } from './options.js';

function collectScopes(value: string, previous: KeyScope[] = []): KeyScope[] {
  const scopes = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const s of scopes) {
    if (!keyScopeSchema.safeParse(s).success) throw new InvalidArgumentError(`unknown scope "${s}" (use ingest, read or metrics)`);
  }
  return [...new Set([...previous, ...(scopes as KeyScope[])])];
}

export function registerKeyCommands(cli: Command): void {
  const key = cli.command('key').description('manage API keys');
  key
    .command('create')
    .description('create an API key; the key is printed once, only its hash is stored')
    .requiredOption('--name <name>', 'what the key is for', parseWith((v) => labelSchema(100).safeParse(v)))
    .requiredOption('--scope <scope>', 'ingest | read | metrics (repeat or comma-separate for several)', collectScopes)
    .option('--project <id>', 'bind an ingest key to one project (e.g. bmad:streakly): all it sends is that project\'s, and it may send for no other', parseWith((v) => idSchema.safeParse(v)))
    .addOption(dataDirOption())
    .action(async (o: { name: string; scope: KeyScope[]; project?: string; dataDir?: string }) => {
      if (o.project && !o.scope.includes('ingest')) {
        process.stderr.write('bmad-ops: key create --project binds what a key sends: it needs --scope ingest\n');
        process.exitCode = 2;
        return;
      }
      const core = await createCore(configFrom({ ...(o.dataDir ? { dataDir: o.dataDir } : {}) }), {});
      try {
        if (o.project && !(await projectsRepository.findById(core.db.read, o.project, core.clock.now().toISOString()))) {
          process.stderr.write(`bmad-ops: note: no project ${o.project} is known yet; the key is bound to it anyway (it may be connected later)\n`);
        }
        const created = await core.auth.createApiKey(o.name, o.scope, { actorType: 'cli', actorId: process.env.USER ?? null }, o.project ?? null);
        process.stdout.write(`${created.key}\n`);
        process.stderr.write(`created key ${created.id} "${o.name}" with scopes ${o.scope.join(', ')}${o.project ? ` bound to project ${o.project}` : ''}; it is shown only once\n`);
      } finally {
        await core.close();
      }
    });
  key
    .command('list')
    .description('list API keys (never their secrets)')
    .addOption(dataDirOption())
    .action(async (o: { dataDir?: string }) => {
      const core = await createCore(configFrom({ ...(o.dataDir ? { dataDir: o.dataDir } : {}) }), {});
      try {
        for (const k of await core.auth.listApiKeys()) {
          process.stdout.write(`${k.id}\t${k.name}\t${k.scopes.join(',')}${k.projectId ? `\tproject ${k.projectId}` : ''}\t${k.createdAt}\t${k.revokedAt ? `revoked ${k.revokedAt}` : 'active'}\n`);
        }
      } finally {
        await core.close();
      }
    });
  key
    .command('revoke <id>')
    .description('revoke an API key by id')
    .addOption(dataDirOption())
    .action(async (id: string, o: { dataDir?: string }) => {
      const core = await createCore(configFrom({ ...(o.dataDir ? { dataDir: o.dataDir } : {}) }), {});
      try {
        if (await core.auth.revokeApiKey(id, { actorType: 'cli', actorId: process.env.USER ?? null })) process.stdout.write(`revoked ${id}\n`);
        else {
          process.stderr.write(`bmad-ops: no active key with id ${id}\n`);
          process.exitCode = 1;
        }
      } finally {
        await core.close();
      }
    });
}
