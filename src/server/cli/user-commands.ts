import type { Command } from 'commander';
import { emailSchema, roleSchema, type Role } from '../../contracts/index.js';
import { UserExistsError } from '../modules/auth/auth.service.js';
import { createCore } from '../server.js';
import { configFrom, dataDirOption, parseWith } from './options.js';

export function registerUserCommands(cli: Command): void {
  const user = cli.command('user').description('manage accounts');
  user
    .command('create')
    .description('create an account; prints a generated password when none is given')
    .requiredOption('--email <email>', 'login email', parseWith((v) => emailSchema.safeParse(v)))
    .requiredOption('--role <role>', 'viewer | operator | manager', parseWith((v) => roleSchema.safeParse(v)))
    .option('--password <password>', 'at least 12 characters (omit to generate one)', (v: string) => {
      if (v.length < 12) throw new Error('--password must be at least 12 characters');
      return v;
    })
    .option('--display-name <name>', 'name shown in the dashboard')
    .addOption(dataDirOption())
    .action(async (o: { email: string; role: Role; password?: string; displayName?: string; dataDir?: string }) => {
      const core = await createCore(configFrom({ ...(o.dataDir ? { dataDir: o.dataDir } : {}) }), {});
      try {
        const created = await core.auth.createUser(
          { email: o.email, role: o.role, displayName: o.displayName ?? null, ...(o.password ? { password: o.password } : {}) },
          { actorType: 'cli', actorId: process.env.USER ?? null },
        );
        process.stdout.write(`created ${o.role} ${o.email.toLowerCase()} (id ${created.id})\n`);
        if (created.generated) process.stdout.write(`password: ${created.password}\n(shown only once)\n`);
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
