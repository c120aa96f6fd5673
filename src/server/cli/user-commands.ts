import type { Command } from 'commander';
import { emailSchema, roleSchema, type Role } from '../../contracts/index.js';
import { UnknownAccountError, UserExistsError } from '../modules/auth/index.js';
import type { Core } from '../core.js';
import { createCore } from '../core.js';
import { commandConfigFrom, dataDirOption, parseWith } from './options.js';

export function registerUserCommands(cli: Command): void {
  const user = cli.command('user').description('manage accounts');
  registerCreate(user);
  registerAccountChanges(user);
}

/** `user create`: a new account, with a generated password when none is given. */
function registerCreate(user: Command): void {
  user
    .command('create')
    .description('create an account; prints a generated password when none is given')
    .requiredOption(
      '--email <email>',
      'login email',
      parseWith((v) => emailSchema.safeParse(v)),
    )
    .requiredOption(
      '--role <role>',
      'viewer | operator | manager',
      parseWith((v) => roleSchema.safeParse(v)),
    )
    .option('--password <password>', 'at least 12 characters (omit to generate one)', (v: string) => {
      if (v.length < 12) throw new Error('--password must be at least 12 characters');
      return v;
    })
    .option('--display-name <name>', 'name shown in the dashboard')
    .addOption(dataDirOption())
    .action(async (o: { email: string; role: Role; password?: string; displayName?: string; dataDir?: string }) => {
      const core = await createCore(commandConfigFrom({ ...(o.dataDir ? { dataDir: o.dataDir } : {}) }), {});
      try {
        const created = await core.auth.createUser(
          { email: o.email, role: o.role, displayName: o.displayName ?? null, ...(o.password ? { password: o.password } : {}) },
          { actorType: 'cli', actorId: process.env.USER ?? null },
        );
        process.stdout.write(`created ${o.role} ${o.email.toLowerCase()} (id ${created.id})\n`);
        if (created.generated) process.stdout.write(`password: ${created.password}\n(shown only once; it must be changed at first sign-in)\n`);
      } catch (err) {
        if (err instanceof UserExistsError) {
          process.stderr.write(`bmad-ops: ${err.message}\n`);
          process.exitCode = 1;
        } else throw err;
      } finally {
        await core.close();
      }
    });
}

/** `user list`, and the commands that change one account (by its email). */
function registerAccountChanges(user: Command): void {
  const byEmail = (name: string, description: string) =>
    user
      .command(name)
      .description(description)
      .requiredOption(
        '--email <email>',
        'the account',
        parseWith((v) => emailSchema.safeParse(v)),
      )
      .addOption(dataDirOption());

  user
    .command('list')
    .description('list accounts: email, role, state, id')
    .addOption(dataDirOption())
    .action(async (o: { dataDir?: string }) =>
      withCore(o.dataDir, async (core) => {
        for (const a of await core.auth.listAccounts()) {
          process.stdout.write(`${a.email}\t${a.role}\t${a.disabledAt ? `disabled ${a.disabledAt}` : 'active'}\t${a.displayName ?? ''}\t${a.id}\n`);
        }
      }),
    );
  byEmail('set-role', "change an account's role")
    .requiredOption(
      '--role <role>',
      'viewer | operator | manager',
      parseWith((v) => roleSchema.safeParse(v)),
    )
    .action(async (o: { email: string; role: Role; dataDir?: string }) =>
      withCore(o.dataDir, async (core) => {
        await core.auth.setRole(o.email, o.role, cliActor());
        process.stdout.write(`${o.email.toLowerCase()} is now ${o.role}\n`);
      }),
    );
  byEmail('passwd', "set an account's password (prompted, or read from stdin with --password-stdin); ends its sessions")
    .option('--password-stdin', 'read the new password from standard input (first line)')
    .action(async (o: { email: string; passwordStdin?: boolean; dataDir?: string }) => {
      const password = o.passwordStdin ? await firstLineOfStdin() : await promptHidden(`new password for ${o.email.toLowerCase()}: `);
      if (password.length < 12) {
        process.stderr.write('bmad-ops: user passwd: the password must be at least 12 characters\n');
        process.exitCode = 2;
        return;
      }
      await withCore(o.dataDir, async (core) => {
        const ended = await core.auth.setPassword(o.email, password, cliActor());
        process.stdout.write(`password changed for ${o.email.toLowerCase()}; ${ended} session(s) ended\n`);
      });
    });
  byEmail('disable', 'switch an account off: its sessions end and it cannot sign in').action(async (o: { email: string; dataDir?: string }) =>
    withCore(o.dataDir, async (core) => {
      const ended = await core.auth.setDisabled(o.email, true, cliActor());
      process.stdout.write(`disabled ${o.email.toLowerCase()}; ${ended} session(s) ended (open dashboards are signed out within a minute)\n`);
    }),
  );
  byEmail('enable', 'switch a disabled account back on').action(async (o: { email: string; dataDir?: string }) =>
    withCore(o.dataDir, async (core) => {
      await core.auth.setDisabled(o.email, false, cliActor());
      process.stdout.write(`enabled ${o.email.toLowerCase()}\n`);
    }),
  );
  byEmail('revoke-sessions', 'end every session of an account (it can sign in again)').action(async (o: { email: string; dataDir?: string }) =>
    withCore(o.dataDir, async (core) => {
      const ended = await core.auth.revokeSessions(o.email, cliActor());
      process.stdout.write(`${ended} session(s) of ${o.email.toLowerCase()} ended\n`);
    }),
  );
}

const cliActor = () => ({ actorType: 'cli' as const, actorId: process.env.USER ?? null });

/** Opens the data dir, runs `fn`, closes; an unknown account is a one-line error (exit 1), not a stack trace. */
async function withCore(dataDir: string | undefined, fn: (core: Core) => Promise<void>): Promise<void> {
  const core = await createCore(commandConfigFrom({ ...(dataDir ? { dataDir } : {}) }), {});
  try {
    await fn(core);
  } catch (err) {
    if (!(err instanceof UnknownAccountError)) throw err;
    process.stderr.write(`bmad-ops: ${err.message}\n`);
    process.exitCode = 1;
  } finally {
    await core.close();
  }
}

async function firstLineOfStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of process.stdin as AsyncIterable<Buffer>) {
    chunks.push(c);
    size += c.length;
    if (size > 4096) break;
  }
  return (Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '').slice(0, 1024);
}

/** Asks on the terminal without echoing what is typed. */
async function promptHidden(question: string): Promise<string> {
  if (!process.stdin.isTTY) throw new Error('no terminal to ask the password on: use --password-stdin');
  const { createInterface } = await import('node:readline');
  const { Writable } = await import('node:stream');
  process.stderr.write(question);
  const muted = new Writable({ write: (_chunk, _enc, cb) => cb() });
  const rl = createInterface({ input: process.stdin, output: muted, terminal: true });
  const answer = await new Promise<string>((resolve) => rl.question('', resolve));
  rl.close();
  process.stderr.write('\n');
  return answer;
}
