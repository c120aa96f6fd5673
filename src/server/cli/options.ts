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
