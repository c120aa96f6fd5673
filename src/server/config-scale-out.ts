import { z } from 'zod';

const positiveInt = z.coerce.number().int().min(1);

/**
 * Where the system of record lives. No URL: the embedded SQLite file in the data dir. A postgres:// URL: PostgreSQL,
 * which several instances can share.
 */
export const databaseUrlSchema = z
  .string()
  .max(2048)
  .regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// or postgresql:// URL');

export const databaseConfigSchema = z
  .object({
    url: databaseUrlSchema.nullable().default(null),
    poolSize: positiveInt.max(200).default(10),
    /** A schema instead of `public` (one per test server; an installation normally leaves it unset). */
    schema: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lowercase SQL identifier')
      .nullable()
      .default(null),
    /** How long a write waits for another instance's write (lock_timeout) before it is retried. */
    lockTimeoutMs: positiveInt.max(60_000).default(5_000),
  })
  .prefault({});

/** The message bus between instances: committed positions fan out over it to every instance's WebSocket clients. */
export const natsConfigSchema = z
  .object({
    url: z
      .string()
      .max(2048)
      .regex(/^(nats|tls):\/\/\S+$/, 'must be a nats:// or tls:// URL')
      .nullable()
      .default(null),
    /** The JetStream stream (and subject prefix) the instances share. */
    stream: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, - and _ only')
      .default('BMAD_OPS'),
  })
  .prefault({});

/** Environment variables of the scale-out settings, for the config loader's table. */
export const SCALE_OUT_ENV_FIELDS: [string, string[]][] = [
  ['BMAD_OPS_DATABASE_URL', ['database', 'url']],
  ['BMAD_OPS_DATABASE_POOL_SIZE', ['database', 'poolSize']],
  ['BMAD_OPS_DATABASE_SCHEMA', ['database', 'schema']],
  ['BMAD_OPS_NATS_URL', ['nats', 'url']],
  ['BMAD_OPS_NATS_STREAM', ['nats', 'stream']],
];
