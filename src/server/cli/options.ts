import { InvalidArgumentError, Option } from 'commander';
import { loadConfig, type Config, type ConfigFlags } from '../config.js';

export interface GlobalFlags {
  port?: string;
  dataDir?: string;
  host?: string;
}

/** `defaults` are the command's own, below the environment and the flags. */
export function configFrom(flags: ConfigFlags, defaults: { demo?: boolean } = {}): Config {
  return loadConfig(process.env, flags, defaults);
}

/** How long a one-shot command waits for another process's write lock, unless BMAD_OPS_SQLITE_BUSY_TIMEOUT_MS says. */
export const COMMAND_BUSY_TIMEOUT_MS = 15_000;

/**
 * The configuration of a one-shot command (every command but `serve`). The default busy timeout (50 ms) keeps a
 * server's event loop responsive while another process commits; a command has no one waiting on its event loop, and a
 * person who runs `user create` beside a busy server would rather it waited a moment than failed "database is locked".
 */
export function commandConfigFrom(flags: ConfigFlags, defaults: { demo?: boolean } = {}): Config {
  const config = loadConfig(process.env, flags, defaults);
  const env = process.env;
  return {
    ...config,
    sqlite: {
      ...config.sqlite,
      busyTimeoutMs: env.BMAD_OPS_SQLITE_BUSY_TIMEOUT_MS ? config.sqlite.busyTimeoutMs : COMMAND_BUSY_TIMEOUT_MS,
      // The server retries its short waits to keep serving between them; a command's one long wait is the whole
      // budget (30 retries of 15 s each would be minutes).
      lockRetries: env.BMAD_OPS_SQLITE_LOCK_RETRIES ? config.sqlite.lockRetries : 0,
    },
    // The writer's thread lets the server go on serving while a round commits. A command serves nothing meanwhile: it
    // awaits each batch, so the thread would only add a hop per round (an import of 400 k events: 35.7 s against 30.7).
    ingest: { ...config.ingest, writerThread: 'main' },
  };
}

export function dataDirOption(): Option {
  return new Option('--data-dir <dir>', 'data directory (env BMAD_OPS_DATA_DIR, default ./data)');
}

export function parseWith<T>(parse: (v: string) => { success: true; data: T } | { success: false; error: { issues: { message: string }[] } }) {
  return (value: string): T => {
    const r = parse(value);
    if (!r.success) throw new InvalidArgumentError(r.error.issues.map((i) => i.message).join('; '));
    return r.data;
  };
}
