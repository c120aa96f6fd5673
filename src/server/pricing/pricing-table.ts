import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** A data dir's own pricing table, installed by `bmad-ops pricing update FILE`. */
export function dataPricingFile(dataDir: string): string {
  return path.join(path.resolve(dataDir), 'pricing.json');
}

/** The pricing table shipped in the repository (pricing/claude.json at the package root, from src/ or dist/). */
export const DEFAULT_PRICING_FILE = fileURLToPath(new URL('../../../pricing/claude.json', import.meta.url));

const price = z.number().finite().min(0).max(1_000_000);
const dateSchema = z.iso.date({ message: 'must be a date such as 2025-09-29' });

const rates = {
  input: price,
  output: price,
  /** A 5-minute cache write (1.25× input on Anthropic's table). */
  cacheWrite: price,
  /** A 1-hour cache write (2× input); when absent, 2× input. */
  cacheWrite1h: price.optional(),
  cacheRead: price,
};

const priceEntrySchema = z.strictObject({
  /** UTC day from which this price applies (inclusive) until the next entry's effectiveFrom. */
  effectiveFrom: dateSchema,
  ...rates,
  /** Requests whose input (input + cache writes + cache reads) exceeds the threshold are priced at these rates. */
  longContext: z.strictObject({ thresholdTokens: z.number().int().min(1), ...rates }).optional(),
  /** Where the price was read (a page, a launch post). */
  source: z.string().max(500).optional(),
});

export const pricingFileSchema = z.strictObject({
  version: z.string().min(1).max(64),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD'),
  unit: z.string().max(200).optional(),
  source: z.string().max(500).optional(),
  models: z.record(
    z.string().regex(/^[a-z0-9][a-z0-9.-]{0,127}$/, 'model ids are lower-case letters, digits, "." and "-"'),
    z.strictObject({
      /** Other ids Claude Code or a provider writes for the same model (matched exactly). */
      aliases: z.array(z.string().min(1).max(128)).max(20).optional(),
      prices: z
        .array(priceEntrySchema)
        .min(1)
        .refine((ps) => new Set(ps.map((p) => p.effectiveFrom)).size === ps.length, { message: 'effectiveFrom dates must be unique' }),
    }),
  ),
});
export type PricingFile = z.output<typeof pricingFileSchema>;

export interface TokenCounts {
  input?: number | null | undefined;
  output?: number | null | undefined;
  /** All cache writes; with the split below known, their sum. */
  cacheWrite?: number | null | undefined;
  cacheWrite5m?: number | null | undefined;
  cacheWrite1h?: number | null | undefined;
  cacheRead?: number | null | undefined;
}

/**
 * The model id a provider's spelling stands for: Bedrock `us.anthropic.claude-sonnet-4-5-20250929-v1:0`, Vertex
 * `claude-opus-4-1@20250805`, or the plain id, lower-cased and without those wrappers.
 */
export function canonicalModelId(model: string): string {
  return model
    .trim()
    .toLowerCase()
    .replace(/^(?:(?:us|eu|apac|global)\.)?anthropic\./, '')
    .replace(/-v\d+(?::\d+)?$/, '')
    .replace(/@(\d{8})$/, '-$1');
}

export interface PricedCost {
  amount: number;
  currency: string;
  /** `<table version>/<model id>@<effectiveFrom>`: which table, model entry and price period priced the cost. */
  priceVersion: string;
}

export class PricingFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PricingFileError';
  }
}

/**
 * A validated pricing table: prices per model id by effective date. A model matches its exact id, an alias, or its id
 * followed by an 8-digit date (`claude-opus-4-5-20251101`) — never a prefix, which would price Opus 4.5 as Opus 4 (3×
 * too much) once a bare family entry exists.
 */
export class PricingTable {
  private readonly models: { id: string; prices: PricingFile['models'][string]['prices'] }[];
  private readonly byName = new Map<string, string>();

  constructor(readonly file: PricingFile) {
    this.models = Object.entries(file.models).map(([id, m]) => ({ id, prices: [...m.prices].sort((a, b) => (a.effectiveFrom < b.effectiveFrom ? -1 : 1)) }));
    for (const [id, m] of Object.entries(file.models)) {
      this.byName.set(id, id);
      for (const a of m.aliases ?? []) this.byName.set(canonicalModelId(a), id);
    }
  }

  get version(): string {
    return this.file.version;
  }

  /** The model entry for a model id: exact (or an alias), or the id with an 8-digit date suffix, in any provider's spelling. */
  modelFor(model: string): string | undefined {
    const m = canonicalModelId(model);
    return this.byName.get(m) ?? this.byName.get(m.replace(/-\d{8}$/, ''));
  }

  /** The cost of token counts at an instant; undefined when the model is unknown or no price was in effect yet. */
  price(model: string, occurredAt: string, tokens: TokenCounts): PricedCost | undefined {
    const id = this.modelFor(model);
    if (!id) return undefined;
    const entry = this.models.find((e) => e.id === id)!;
    const day = occurredAt.slice(0, 10);
    const p = entry.prices.filter((x) => x.effectiveFrom <= day).at(-1);
    if (!p) return undefined;
    const write = tokens.cacheWrite ?? (tokens.cacheWrite5m ?? 0) + (tokens.cacheWrite1h ?? 0);
    // Each cache-write bucket at its rate; without a split (or with what the split does not cover) at the 5-minute rate.
    const write1h = Math.min(tokens.cacheWrite1h ?? 0, write);
    const write5m = write - write1h;
    const promptTokens = (tokens.input ?? 0) + write + (tokens.cacheRead ?? 0);
    const long = p.longContext && promptTokens > p.longContext.thresholdTokens ? p.longContext : undefined;
    const r = long ?? p;
    const micro = (tokens.input ?? 0) * r.input + (tokens.output ?? 0) * r.output + write5m * r.cacheWrite + write1h * (r.cacheWrite1h ?? 2 * r.input) + (tokens.cacheRead ?? 0) * r.cacheRead;
    // Prices are per million tokens; round to 1e-9 of the currency so float noise never shows.
    return { amount: Math.round(micro * 1000) / 1e9, currency: this.file.currency, priceVersion: `${this.file.version}/${id}@${p.effectiveFrom}${long ? '+long-context' : ''}` };
  }
}

/** Reads and validates a pricing file; any problem is a PricingFileError naming the file and the field. */
export function loadPricingTable(file: string = DEFAULT_PRICING_FILE): PricingTable {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new PricingFileError(`pricing file ${file}: ${(err as Error).message}`);
  }
  const parsed = pricingFileSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.map(String).join('.') || '(root)'}: ${i.message}`);
    throw new PricingFileError(`pricing file ${file} is invalid:\n${lines.join('\n')}`);
  }
  return new PricingTable(parsed.data);
}
