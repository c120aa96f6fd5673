import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { OIDC_ENV_FIELDS, oidcConfigSchema } from './modules/auth/index.js';
import { databaseConfigSchema, natsConfigSchema, SCALE_OUT_ENV_FIELDS } from './config-scale-out.js';

export const DEFAULT_PORT = 8080;

const portSchema = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().min(1);
const DOCUMENT_ROOT_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

/** `id=/abs/path,id2=/abs/path2` (BMAD_OPS_DOCUMENT_ROOTS) as a record; a malformed entry is a ConfigError. */
const PROXY_PRESETS = new Set(['loopback', 'linklocal', 'uniquelocal']);
/** A proxy address for `trust proxy`: an IP, an IP/prefix, or one of proxy-addr's named ranges. */
const proxyAddressSchema = z.string().refine((v) => {
  if (PROXY_PRESETS.has(v)) return true;
  const [ip, prefix, extra] = v.split('/');
  if (extra !== undefined || !ip || net.isIP(ip) === 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (net.isIP(ip) === 4 ? 32 : 128);
}, 'must be an IP address, an IP/prefix, loopback, linklocal or uniquelocal');

export function parseDocumentRoots(value: string, variable = 'BMAD_OPS_DOCUMENT_ROOTS'): Record<string, string> {
  const roots: Record<string, string> = {};
  for (const entry of value
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const eq = entry.indexOf('=');
    const id = eq > 0 ? entry.slice(0, eq).trim() : '';
    const dir = eq > 0 ? entry.slice(eq + 1).trim() : '';
    const problem = !DOCUMENT_ROOT_ID.test(id)
      ? `"${entry}" must be id=/absolute/dir with an id of letters, digits, ".", "_", ":" or "-"`
      : !path.isAbsolute(dir)
        ? `"${entry}": the directory must be absolute`
        : Object.hasOwn(roots, id)
          ? `root "${id}" is given twice`
          : undefined;
    if (problem) throw new ConfigError(`invalid configuration:\n  ${variable}: ${problem}`);
    roots[id] = dir;
  }
  return roots;
}

/** Everything the server can be told, with defaults. Tests build one directly; the CLI builds one from env + flags. */
export const configSchema = z.object({
  port: portSchema.default(DEFAULT_PORT),
  host: z.string().min(1).default('127.0.0.1'),
  dataDir: z.string().min(1).default('./data'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /**
   * Which reverse proxies' X-Forwarded-* headers to believe: false (none), a hop count (1 = the proxy in front of us),
   * or the proxies' addresses / CIDRs (or `loopback`, `linklocal`, `uniquelocal`). Never "every hop": that would let a
   * client choose its own IP for the login limit and the audit log.
   */
  trustProxy: z.union([z.literal(false), z.number().int().min(1).max(10), z.array(proxyAddressSchema).min(1).max(32)]).default(false),
  /**
   * HTTPS and WSS served directly (PEM files), with HSTS. Without them the server speaks plain HTTP, for a laptop, a LAN
   * or a TLS proxy in front (whose protocol, when trusted, decides HSTS and Secure cookies).
   */
  tls: z.object({ certFile: z.string().min(1), keyFile: z.string().min(1) }).optional(),
  /** Events older than `days` are pruned (0, the default, keeps everything): in small batches, never blocking ingestion. */
  retention: z
    .object({
      days: z.coerce.number().int().min(0).max(36_500).default(0),
      batchSize: positiveInt.max(10_000).default(500),
      /** Pause between batches, so writers get the lock in between. */
      pauseMs: z.coerce.number().int().min(0).max(60_000).default(50),
      /** How often a pruning pass starts. */
      intervalMs: positiveInt.default(3600_000),
    })
    .prefault({}),
  /** The consistency monitor's schedule (rebuild the read models from the log and compare); 0 = only when asked. */
  consistency: z
    .object({
      intervalMs: z.coerce
        .number()
        .int()
        .min(0)
        .max(7 * 86_400_000)
        .default(600_000),
      firstRunDelayMs: z.coerce.number().int().min(0).max(86_400_000).default(60_000),
    })
    .prefault({}),
  /** Alerts (Settings → Alerts): how often rules are evaluated, and how webhook and Slack deliveries are tried. */
  alerts: z
    .object({
      evaluateIntervalMs: positiveInt.min(1000).max(3600_000).default(15_000),
      /** One delivery attempt's limit: no answer by then counts as a failure (and is retried). */
      timeoutMs: positiveInt.max(60_000).default(5_000),
      maxAttempts: positiveInt.max(10).default(5),
      /** Delay before the second attempt; doubled for each next one (with jitter), up to retryMaxMs. */
      retryBaseMs: positiveInt.max(600_000).default(2_000),
      retryMaxMs: positiveInt.max(3600_000).default(60_000),
      /** Attempts kept in each channel's delivery log. */
      deliveryLogSize: positiveInt.max(1000).default(50),
      maxFiringsPerRule: positiveInt.max(10_000).default(50),
    })
    .prefault({}),
  /** Editable Kanban (architecture 5.1): operators and managers may move stories; off means read-only boards. */
  kanbanEditable: z.boolean().default(false),
  /**
   * Demo workspace: an empty database is seeded with simulated BMAD projects, and a demo database keeps being fed by
   * the simulator. Off unless asked for; `bmad-ops serve` asks for it unless --no-demo or BMAD_OPS_DEMO=0.
   */
  /** BMAD project folders to connect and watch (serve --bmad DIR, repeatable; BMAD_OPS_BMAD_PROJECTS=dir1,dir2). */
  bmad: z
    .object({
      projects: z.array(z.string().min(1)).default([]),
      /** Read each connected project's git history (BMAD_OPS_GIT_HISTORY=0 or --no-git-history turns it off). */
      gitHistory: z.boolean().default(true),
      /** Only commits after this instant (--git-since 2026-01-01 or 30d; BMAD_OPS_GIT_SINCE). */
      gitSince: z.string().datetime({ offset: true }).nullable().default(null),
      /** Connect the sample project, replayed with its history into <dataDir>/sample (serve --sample; npm start). */
      sample: z.boolean().default(false),
    })
    .prefault({}),
  /**
   * Claude Code usage from the transcripts on this machine, for sessions whose working directory lies inside a connected
   * BMAD project: imported at start and tailed. `dirs` are the transcript folders (`<claude config dir>/projects`); the
   * CLI fills them from --claude-dir, CLAUDE_CONFIG_DIR or the default homes, a config built in code reads none.
   */
  claude: z
    .object({
      usage: z.boolean().default(true),
      dirs: z.array(z.string().min(1)).default([]),
    })
    .prefault({}),
  demo: z
    .object({
      enabled: z.boolean().default(false),
      /** Simulated events per second while the demo runs. */
      ratePerSecond: z.coerce.number().positive().max(50).default(1),
    })
    .prefault({}),
  database: databaseConfigSchema,
  nats: natsConfigSchema,
  sqlite: z
    .object({
      // SQLite's own busy wait blocks the event loop, so it is kept short and the writer retries asynchronously
      // (lockRetries times, backing off up to 200 ms): about 5 s in all before ingestion answers 429.
      busyTimeoutMs: z.coerce.number().int().min(0).default(50),
      lockRetries: z.coerce.number().int().min(0).default(30),
      /** While the disk is full or failing, how often a probe write checks whether it works again. */
      storageProbeMs: positiveInt.max(600_000).default(5_000),
    })
    .prefault({}),
  ingest: z
    .object({
      maxQueuedEvents: positiveInt.default(50_000),
      maxEventsPerTransaction: positiveInt.default(5_000),
      /**
       * Where write rounds commit on SQLite: a worker thread with its own connection, so statements and fsyncs run beside
       * the HTTP work ('worker'), or the main thread ('main'). Postgres always commits on the main thread.
       */
      writerThread: z.enum(['worker', 'main']).default('worker'),
      /** Requests per second per API key on POST /events. */
      rateLimitPerSecond: positiveInt.default(500),
    })
    .prefault({}),
  realtime: z
    .object({
      heartbeatIntervalMs: positiveInt.default(15_000),
      /** Extra silence tolerated after two missed heartbeats before a connection is closed. */
      heartbeatGraceMs: z.coerce.number().int().min(0).default(5_000),
      authTimeoutMs: positiveInt.default(5_000),
      /** Largest gap replayed event by event; beyond it the client gets fresh snapshots. */
      replayLimit: positiveInt.default(10_000),
      /** A client whose unsent data passes this is cut off with "resync needed". */
      sendBufferCapBytes: positiveInt.default(1024 * 1024),
      maxMessageBytes: positiveInt.default(64 * 1024),
      /** How often the staleness job runs. */
      staleCheckIntervalMs: positiveInt.default(5_000),
      /** A source is stale after this many expected intervals without a successful report. */
      staleAfterIntervals: z.coerce.number().min(1).default(2),
      closedSessionRetentionHours: positiveInt.default(24),
      /** How often open connections re-check their token, so an expired session or revoked key is cut off. */
      authRecheckIntervalMs: positiveInt.default(60_000),
      /** How often the stored credentials version is read, so a CLI `user disable` or `key revoke` closes sockets soon. */
      credentialsPollMs: positiveInt.default(2_000),
      /** A connection's snapshot/replay requests that arrive while one runs are coalesced and run at most this often. */
      resyncMinIntervalMs: z.coerce.number().int().min(0).max(60_000).default(1_000),
      /** Open sockets in all; per client address; still waiting to authenticate; per account or key. */
      maxConnections: positiveInt.default(2_000),
      maxConnectionsPerAddress: positiveInt.default(100),
      maxUnauthenticated: positiveInt.default(200),
      maxConnectionsPerPrincipal: positiveInt.default(30),
    })
    .prefault({}),
  documents: z
    .object({
      /** Document roots by id (documents name a root and a path inside it); env BMAD_OPS_DOCUMENT_ROOTS=id=/abs,id2=/abs2. */
      roots: z
        .record(
          z.string().regex(DOCUMENT_ROOT_ID, 'root ids are letters, digits, ".", "_", ":" or "-"'),
          z.string().refine((p) => path.isAbsolute(p), 'must be an absolute directory'),
        )
        .default({}),
      /** Larger files are not served inline (the content route answers with a fallback naming the size). */
      maxInlineBytes: positiveInt.default(20 * 1024 * 1024),
    })
    .prefault({}),
  pricing: z
    .object({
      /** A pricing table replacing the shipped pricing/claude.json (env BMAD_OPS_PRICING_FILE). */
      file: z.string().min(1).optional(),
    })
    .prefault({}),
  analytics: z
    .object({
      /** |modified z| above which an agent's KPI is flagged (env BMAD_OPS_OUTLIER_THRESHOLD). */
      outlierThreshold: z.coerce.number().positive().max(100).default(3.5),
      /** Fewest agents with a value that day before peers are compared. */
      minPeers: z.coerce.number().int().min(3).max(1000).default(5),
      /** Fewest earlier days with a value before an agent is compared with itself, and how far back it looks. */
      minHistory: z.coerce.number().int().min(3).max(365).default(7),
      historyDays: z.coerce.number().int().min(3).max(365).default(14),
      rollupBatchSize: positiveInt.max(50_000).default(2000),
      rollupSliceMs: positiveInt.max(10_000).default(50),
      rollupPollMs: positiveInt.default(1000),
      rollupMinIntervalMs: z.coerce.number().int().min(0).max(60_000).default(200),
      /** Where the rollup folds on SQLite: its own worker thread and connection, or the main thread ('main'). */
      rollupThread: z.enum(['worker', 'main']).default('worker'),
    })
    .prefault({}),
  auth: z
    .object({
      sessionTtlHours: positiveInt.default(12),
      loginAttemptsPerMinute: positiveInt.default(10),
      /** scrypt cost (N = 2^costLog2, r = 8): 17 (OWASP's minimum) = 128 MiB of memory per hash; older hashes are redone at sign-in. */
      scryptCostLog2: z.number().int().min(10).max(20).default(17),
      adminEmail: z.string().optional(),
      adminPassword: z.string().min(12, 'must be at least 12 characters').optional(),
    })
    .prefault({}),
  /** The status page's SLI sampler (modules/status): how often it reads the metrics, and how long samples are kept. */
  status: z
    .object({
      sampleIntervalMs: positiveInt.min(100).max(60_000).default(10_000),
      /** At least a day: the page's longest view is 24 hours. */
      retentionHours: positiveInt
        .min(24)
        .max(24 * 90)
        .default(48),
    })
    .prefault({}),
  /** Sign-in with an OpenID Connect provider, off while no issuer is set (modules/auth/oidc/oidc.config.ts). */
  oidc: oidcConfigSchema.prefault({}),
});
export type Config = z.output<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;

export function databaseFile(config: Pick<Config, 'dataDir'>): string {
  return path.join(path.resolve(config.dataDir), 'bmad-ops.sqlite');
}

/** Where Claude Code keeps its transcripts: `CLAUDE_CONFIG_DIR` (comma-separated) or the two default homes. */
export function claudeProjectDirs(env: NodeJS.ProcessEnv, home = env.HOME ?? os.homedir()): string[] {
  const configured = env.CLAUDE_CONFIG_DIR?.split(',')
    .map((d) => d.trim())
    .filter(Boolean);
  const bases = configured && configured.length > 0 ? configured : [path.join(home, '.config', 'claude'), path.join(home, '.claude')];
  return bases.map((b) => path.join(path.resolve(b), 'projects'));
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Environment variables and the config field each sets, so an error can name the variable the user typed. */
const ENV_FIELDS: [string, string[]][] = [
  ['BMAD_OPS_PORT', ['port']],
  ['BMAD_OPS_HOST', ['host']],
  ['BMAD_OPS_DATA_DIR', ['dataDir']],
  ['BMAD_OPS_LOG_LEVEL', ['logLevel']],
  ['BMAD_OPS_SQLITE_BUSY_TIMEOUT_MS', ['sqlite', 'busyTimeoutMs']],
  ['BMAD_OPS_SQLITE_LOCK_RETRIES', ['sqlite', 'lockRetries']],
  ['BMAD_OPS_INGEST_RATE_LIMIT', ['ingest', 'rateLimitPerSecond']],
  ['BMAD_OPS_INGEST_MAX_QUEUED', ['ingest', 'maxQueuedEvents']],
  ['BMAD_OPS_LOGIN_RATE_LIMIT', ['auth', 'loginAttemptsPerMinute']],
  ['BMAD_OPS_SESSION_TTL_HOURS', ['auth', 'sessionTtlHours']],
  ['BMAD_OPS_ADMIN_EMAIL', ['auth', 'adminEmail']],
  ['BMAD_OPS_WS_REPLAY_LIMIT', ['realtime', 'replayLimit']],
  ['BMAD_OPS_WS_MAX_PER_PRINCIPAL', ['realtime', 'maxConnectionsPerPrincipal']],
  ['BMAD_OPS_WS_MAX_PER_ADDRESS', ['realtime', 'maxConnectionsPerAddress']],
  ['BMAD_OPS_STALE_AFTER_INTERVALS', ['realtime', 'staleAfterIntervals']],
  ['BMAD_OPS_ADMIN_PASSWORD', ['auth', 'adminPassword']],
  ['BMAD_OPS_DEMO_RATE', ['demo', 'ratePerSecond']],
  ['BMAD_OPS_PRICING_FILE', ['pricing', 'file']],
  ['BMAD_OPS_OUTLIER_THRESHOLD', ['analytics', 'outlierThreshold']],
  ...OIDC_ENV_FIELDS,
  ...SCALE_OUT_ENV_FIELDS,
  ['BMAD_OPS_RETENTION_DAYS', ['retention', 'days']],
  ['BMAD_OPS_ALERTS_INTERVAL_MS', ['alerts', 'evaluateIntervalMs']],
  ['BMAD_OPS_STATUS_SAMPLE_MS', ['status', 'sampleIntervalMs']],
  ['BMAD_OPS_CONSISTENCY_INTERVAL_MS', ['consistency', 'intervalMs']],
];

const BOOLEAN_WORDS: Readonly<Record<string, boolean>> = { '1': true, true: true, '0': false, false: false };

function setPath(target: Record<string, unknown>, keys: string[], value: unknown): void {
  let node = target;
  for (const k of keys.slice(0, -1)) node = (node[k] ??= {}) as Record<string, unknown>;
  node[keys[keys.length - 1]!] = value;
}

/** `--git-since`: an ISO date or date-time, or `<N>d` (N days before now). Throws a ConfigError naming `origin`. */
export function parseGitSince(value: string, now: Date, origin: string): string {
  const v = value.trim();
  const days = /^(\d{1,5})d$/.exec(v);
  if (days) return new Date(now.getTime() - Number(days[1]) * 86_400_000).toISOString();
  const date = /^\d{4}-\d{2}-\d{2}$/.test(v) ? new Date(`${v}T00:00:00Z`) : /^\d{4}-\d{2}-\d{2}T/.test(v) ? new Date(v) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime()))
    throw new ConfigError(`invalid configuration:\n  ${origin}: "${value}" is not a date (YYYY-MM-DD, an ISO date-time, or a number of days such as 30d)`);
  return date.toISOString();
}

export interface ConfigFlags {
  port?: string;
  dataDir?: string;
  host?: string;
  /** --demo / --no-demo; undefined when neither was given. */
  demo?: boolean;
  /** --bmad DIR, repeatable. */
  bmad?: string[];
  /** --no-git-history (false) / default (undefined). */
  gitHistory?: boolean;
  gitSince?: string;
  /** --sample */
  sample?: boolean;
  /** --no-claude-usage (false) / default (undefined). */
  claudeUsage?: boolean;
  /** --tls-cert FILE / --tls-key FILE (PEM); both or neither. */
  tlsCert?: string;
  tlsKey?: string;
  /** --database-url / --nats-url: the scale-out backends. */
  databaseUrl?: string;
  natsUrl?: string;
  /** --claude-dir DIR, repeatable: a Claude Code config dir (its projects/ folder is read) or a projects folder. */
  claudeDir?: string[];
}

/** `<dir>/projects` when DIR is a Claude Code config dir, else DIR itself (a folder of transcripts). */
function transcriptFolder(dir: string): string {
  const abs = path.resolve(dir);
  return path.basename(abs) === 'projects' ? abs : path.join(abs, 'projects');
}

/** BMAD_OPS_TRUST_PROXY: 0 / false, a hop count, or a comma-separated list of proxy addresses; "true" is refused. */
export function parseTrustProxy(value: string, variable = 'BMAD_OPS_TRUST_PROXY'): false | number | string[] {
  const v = value.trim().toLowerCase();
  if (v === '0' || v === 'false') return false;
  if (/^\d+$/.test(v)) return Number(v);
  if (v === 'true')
    throw new ConfigError(
      `invalid configuration:\n  ${variable}: "true" would trust every X-Forwarded-For hop (a client could pick its own IP); give the number of proxies in front of the server (1) or their addresses`,
    );
  return v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** A boolean variable (1, true, 0 or false, any case), or undefined when it is unset or empty. */
function envBoolean(env: NodeJS.ProcessEnv, name: string): boolean | undefined {
  const raw = env[name];
  if (!raw) return undefined;
  const word = raw.trim().toLowerCase();
  if (!Object.hasOwn(BOOLEAN_WORDS, word)) throw new ConfigError(`invalid configuration:\n  ${name}: must be 1, true, 0 or false (got "${raw}")`);
  return BOOLEAN_WORDS[word];
}

/** The certificate and key files for HTTPS (flags over environment), or undefined for plain HTTP; one without the other is an error. */
function tlsInput(env: NodeJS.ProcessEnv, flags: ConfigFlags): { certFile: string; keyFile: string } | undefined {
  const tlsCert = flags.tlsCert ?? env.BMAD_OPS_TLS_CERT;
  const tlsKey = flags.tlsKey ?? env.BMAD_OPS_TLS_KEY;
  if (!tlsCert && !tlsKey) return undefined;
  if (!tlsCert || !tlsKey) {
    const missing = tlsCert ? '--tls-key / BMAD_OPS_TLS_KEY' : '--tls-cert / BMAD_OPS_TLS_CERT';
    throw new ConfigError(`invalid configuration:\n  ${missing}: HTTPS needs both a certificate and its private key`);
  }
  return { certFile: path.resolve(tlsCert), keyFile: path.resolve(tlsKey) };
}

/**
 * Builds the config from the command's own defaults, then the environment, then command-line flags (flags win).
 * Errors name the variable or flag.
 */
export function loadConfig(env: NodeJS.ProcessEnv, flags: ConfigFlags = {}, defaults: { demo?: boolean } = {}): Config {
  const input: Record<string, unknown> = {};
  const origin = new Map<string, string>();
  for (const [name, keys] of ENV_FIELDS) {
    const value = env[name];
    if (value !== undefined && value !== '') {
      setPath(input, keys, value);
      origin.set(keys.join('.'), name);
    }
  }
  if (env.BMAD_OPS_KANBAN_EDITABLE) {
    input.kanbanEditable = env.BMAD_OPS_KANBAN_EDITABLE === '1' || env.BMAD_OPS_KANBAN_EDITABLE === 'true';
  }
  if (env.BMAD_OPS_TRUST_PROXY) {
    input.trustProxy = parseTrustProxy(env.BMAD_OPS_TRUST_PROXY);
    origin.set('trustProxy', 'BMAD_OPS_TRUST_PROXY');
  }
  if (env.BMAD_OPS_DOCUMENT_ROOTS) input.documents = { roots: parseDocumentRoots(env.BMAD_OPS_DOCUMENT_ROOTS) };
  const demo = (input.demo ??= {}) as Record<string, unknown>;
  if (defaults.demo !== undefined) demo.enabled = defaults.demo;
  const demoEnv = envBoolean(env, 'BMAD_OPS_DEMO');
  if (demoEnv !== undefined) {
    demo.enabled = demoEnv;
    origin.set('demo.enabled', 'BMAD_OPS_DEMO');
  }
  if (flags.demo !== undefined) {
    demo.enabled = flags.demo;
    origin.set('demo.enabled', flags.demo ? '--demo' : '--no-demo');
  }
  if (env.BMAD_OPS_BMAD_PROJECTS) {
    input.bmad = {
      projects: env.BMAD_OPS_BMAD_PROJECTS.split(',')
        .map((d) => d.trim())
        .filter(Boolean),
    };
    origin.set('bmad.projects', 'BMAD_OPS_BMAD_PROJECTS');
  }
  if (flags.bmad && flags.bmad.length > 0) {
    input.bmad = { projects: flags.bmad };
    origin.set('bmad.projects', '--bmad');
  }
  const bmad = (input.bmad ??= {}) as Record<string, unknown>;
  const gitHistory = envBoolean(env, 'BMAD_OPS_GIT_HISTORY');
  if (gitHistory !== undefined) bmad.gitHistory = gitHistory;
  if (flags.gitHistory === false) bmad.gitHistory = false;
  const sample = envBoolean(env, 'BMAD_OPS_SAMPLE');
  if (sample !== undefined) bmad.sample = sample;
  if (flags.sample) bmad.sample = true;
  const claude = (input.claude ??= {}) as Record<string, unknown>;
  const usage = envBoolean(env, 'BMAD_OPS_CLAUDE_USAGE');
  if (usage !== undefined) claude.usage = usage;
  if (flags.claudeUsage === false) claude.usage = false;
  if (flags.claudeDir && flags.claudeDir.length > 0) claude.dirs = flags.claudeDir.map(transcriptFolder);
  else claude.dirs = claudeProjectDirs(env);
  const now = new Date();
  if (env.BMAD_OPS_GIT_SINCE) bmad.gitSince = parseGitSince(env.BMAD_OPS_GIT_SINCE, now, 'BMAD_OPS_GIT_SINCE');
  if (flags.gitSince !== undefined) bmad.gitSince = parseGitSince(flags.gitSince, now, '--git-since');
  const tls = tlsInput(env, flags);
  if (tls) input.tls = tls;
  const flagMap: ['port' | 'dataDir' | 'host', string][] = [
    ['port', '--port'],
    ['dataDir', '--data-dir'],
    ['host', '--host'],
  ];
  for (const [key, flag] of flagMap) {
    if (flags[key] !== undefined) {
      input[key] = flags[key];
      origin.set(key, flag);
    }
  }
  const scale: [keyof ConfigFlags & ('databaseUrl' | 'natsUrl'), 'database' | 'nats', string][] = [
    ['databaseUrl', 'database', '--database-url'],
    ['natsUrl', 'nats', '--nats-url'],
  ];
  for (const [flag, section, name] of scale) {
    if (flags[flag] === undefined) continue;
    ((input[section] ??= {}) as Record<string, unknown>).url = flags[flag];
    origin.set(`${section}.url`, name);
  }
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const key = i.path.join('.');
      return `  ${origin.get(key) ?? key}: ${i.message}`;
    });
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
