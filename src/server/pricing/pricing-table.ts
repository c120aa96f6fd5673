import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** The pricing table shipped in the repository (pricing/claude.json at the package root, from src/ or dist/). */
export const DEFAULT_PRICING_FILE = fileURLToPath(new URL('../../../pricing/claude.json', import.meta.url));

const price = z.number().finite().min(0).max(1_000_000);
const dateSchema = z.iso.date({ message: 'must be a date such as 2025-09-29' });

const priceEntrySchema = z.strictObject({
  /** UTC day from which this price applies (inclusive) until the next entry's effectiveFrom. */
  effectiveFrom: dateSchema,
  input: price,
  output: price,
  cacheWrite: price,
  cacheRead: price,
});

export const pricingFileSchema = z.strictObject({
  version: z.string().min(1).max(64),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD'),
  unit: z.string().max(200).optional(),
  source: z.string().max(500).optional(),
  models: z.record(
    z.string().regex(/^[a-z0-9][a-z0-9.-]{0,127}$/, 'model ids are lower-case letters, digits, "." and "-"'),
    z.strictObject({
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
  cacheWrite?: number | null | undefined;
  cacheRead?: number | null | undefined;
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

/** A validated pricing table: prices per model id, matched exactly or by prefix (dated variants), by effective date. */
export class PricingTable {
  private readonly models: { id: string; prices: PricingFile['models'][string]['prices'] }[];

  constructor(readonly file: PricingFile) {
    // Longest id first, so claude-sonnet-4-5 wins over a hypothetical claude-sonnet-4 for claude-sonnet-4-5-20250929.
    this.models = Object.entries(file.models)
      .map(([id, m]) => ({ id, prices: [...m.prices].sort((a, b) => (a.effectiveFrom < b.effectiveFrom ? -1 : 1)) }))
      .sort((a, b) => b.id.length - a.id.length);
  }

  get version(): string {
    return this.file.version;
  }

  /** The model entry for a model id: exact, or a prefix followed by "-" (claude-sonnet-4-5-20250929). */
  modelFor(model: string): string | undefined {
    const m = model.toLowerCase();
    return this.models.find((e) => m === e.id || m.startsWith(`${e.id}-`))?.id;
  }

  /** The cost of token counts at an instant; undefined when the model is unknown or no price was in effect yet. */
  price(model: string, occurredAt: string, tokens: TokenCounts): PricedCost | undefined {
    const id = this.modelFor(model);
    if (!id) return undefined;
    const entry = this.models.find((e) => e.id === id)!;
    const day = occurredAt.slice(0, 10);
    const p = entry.prices.filter((x) => x.effectiveFrom <= day).at(-1);
    if (!p) return undefined;
    const micro =
      (tokens.input ?? 0) * p.input + (tokens.output ?? 0) * p.output + (tokens.cacheWrite ?? 0) * p.cacheWrite + (tokens.cacheRead ?? 0) * p.cacheRead;
    // Prices are per million tokens; round to 1e-9 of the currency so float noise never shows.
    return { amount: Math.round(micro * 1000) / 1e9, currency: this.file.currency, priceVersion: `${this.file.version}/${id}@${p.effectiveFrom}` };
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
