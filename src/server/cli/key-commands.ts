import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { idSchema, keyScopeSchema, labelSchema, type KeyScope } from '../../contracts/index.js';
import { SERVER_SOURCES } from '../modules/events/index.js';
import { projectsRepository } from '../modules/projects/index.js';
import { createCore } from '../core.js';
import { commandConfigFrom, dataDirOption, parseWith } from './options.js';

function collectScopes(value: string, previous: KeyScope[] = []): KeyScope[] {
  const scopes = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const s of scopes) {
    if (!keyScopeSchema.safeParse(s).success) throw new InvalidArgumentError(`unknown scope "${s}" (use ingest, read or metrics)`);
  }
  return [...new Set([...previous, ...(scopes as KeyScope[])])];
}

function collectSources(value: string, previous: string[] = []): string[] {
  const name = value.trim();
  const parsed = idSchema.max(64).safeParse(name);
  if (!parsed.success) throw new InvalidArgumentError(`"${value}" is not a source name (1–64 characters, no control characters)`);
  if (SERVER_SOURCES.includes(name)) throw new InvalidArgumentError(`"${name}" is the server's own source: no key may write it`);
  return [...new Set([...previous, name])];
}

/** `--expires`: `30d` (days from now) or a date / date-time; resolved against the clock when the key is made. */
function parseExpiry(value: string): (now: Date) => string {
  const days = /^(\d{1,4})d$/.exec(value.trim());
  if (days) {
    const n = Number(days[1]);
    if (n < 1) throw new InvalidArgumentError('must be at least 1d');
    return (now) => new Date(now.getTime() + n * 86_400_000).toISOString();
  }
  const at = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || !Number.isFinite(at))
    throw new InvalidArgumentError(`"${value}" is neither a number of days (30d) nor a date (2027-03-31)`);
  if (at <= Date.now()) throw new InvalidArgumentError(`${value} is in the past`);
  return () => new Date(at).toISOString();
}

/** The default source of a key: its name as a slug ("Ana's laptop" → "ana-s-laptop"). */
export function sourceNamedAfter(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9._:-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);
  return slug === '' || SERVER_SOURCES.includes(slug) ? `key-${slug || 'source'}` : slug;
}

export function registerKeyCommands(cli: Command): void {
  const key = cli.command('key').description('manage API keys');
  key
    .command('create')
    .description('create an API key; the key is printed once, only its hash is stored')
    .requiredOption(
      '--name <name>',
      'what the key is for',
      parseWith((v) => labelSchema(100).safeParse(v)),
    )
    .requiredOption('--scope <scope>', 'ingest | read | metrics (repeat or comma-separate for several)', collectScopes)
    .option('--source <name>', 'an event source the key may write (repeatable; default: one named after the key)', collectSources)
    .option('--any-source', "let the key write any source but the server's own (for trusted integrations)")
    .option('--expires <when>', 'a number of days (30d) or a date (2027-03-31): the key is refused after it', parseExpiry)
    .option(
      '--project <id>',
      "bind an ingest key to one project (e.g. bmad:streakly): all it sends is that project's, and it may send for no other",
      parseWith((v) => idSchema.safeParse(v)),
    )
    .addOption(dataDirOption())
    .action(
      async (o: {
        name: string;
        scope: KeyScope[];
        source?: string[];
        anySource?: boolean;
        expires?: (now: Date) => string;
        project?: string;
        dataDir?: string;
      }) => {
        if (o.source && o.anySource) {
          process.stderr.write('bmad-ops: key create takes --source or --any-source, not both\n');
          process.exitCode = 2;
          return;
        }
        if (o.project && !o.scope.includes('ingest')) {
          process.stderr.write('bmad-ops: key create --project binds what a key sends: it needs --scope ingest\n');
          process.exitCode = 2;
          return;
        }
        const core = await createCore(commandConfigFrom({ ...(o.dataDir ? { dataDir: o.dataDir } : {}) }), {});
        try {
          if (o.project && !(await projectsRepository.findById(core.db.read, o.project, core.clock.now().toISOString()))) {
            process.stderr.write(`bmad-ops: note: no project ${o.project} is known yet; the key is bound to it anyway (it may be connected later)\n`);
          }
          const sources = o.anySource ? null : (o.source ?? [sourceNamedAfter(o.name)]);
          const created = await core.auth.createApiKey(
            o.name,
            o.scope,
            { actorType: 'cli', actorId: process.env.USER ?? null },
            { projectId: o.project ?? null, sources, expiresAt: o.expires ? o.expires(core.clock.now()) : null },
          );
          process.stdout.write(`${created.key}\n`);
          const writes = o.scope.includes('ingest')
            ? `, writing as ${sources ? sources.map((x) => `"${x}"`).join(', ') : "any source but the server's own"}`
            : '';
          process.stderr.write(
            `created key ${created.id} "${o.name}" with scopes ${o.scope.join(', ')}${writes}${o.project ? ` bound to project ${o.project}` : ''}${o.expires ? `, expiring ${o.expires(core.clock.now())}` : ''}; it is shown only once\n`,
          );
        } finally {
          await core.close();
        }
      },
    );
  key
    .command('list')
    .description('list API keys (never their secrets)')
    .addOption(dataDirOption())
    .action(async (o: { dataDir?: string }) => {
      const core = await createCore(commandConfigFrom({ ...(o.dataDir ? { dataDir: o.dataDir } : {}) }), {});
      try {
        for (const k of await core.auth.listApiKeys()) {
          process.stdout.write(
            `${k.id}\t${k.name}\t${k.scopes.join(',')}${k.projectId ? `\tproject ${k.projectId}` : ''}\tsources ${k.sources ? k.sources.join(',') : 'any'}\t${k.createdAt}\t${k.revokedAt ? `revoked ${k.revokedAt}` : k.expiresAt && k.expiresAt <= new Date().toISOString() ? `expired ${k.expiresAt}` : k.expiresAt ? `active until ${k.expiresAt}` : 'active'}\n`,
          );
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
      const core = await createCore(commandConfigFrom({ ...(o.dataDir ? { dataDir: o.dataDir } : {}) }), {});
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
