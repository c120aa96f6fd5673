import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_PRICING_FILE, loadPricingTable, PricingFileError } from '../../src/server/pricing/pricing-table.js';
import { tempDir } from '../support/test-server.js';

describe('pricing table', () => {
  const dir = tempDir('bmad-ops-pricing-unit-');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('the shipped table is valid and prices the Claude models, dated variants by prefix', () => {
    expect(DEFAULT_PRICING_FILE.endsWith(path.join('pricing', 'claude.json'))).toBe(true);
    const table = loadPricingTable();
    expect(table.modelFor('claude-sonnet-4-5')).toBe('claude-sonnet-4-5');
    expect(table.modelFor('claude-sonnet-4-5-20250929')).toBe('claude-sonnet-4-5');
    expect(table.modelFor('claude-opus-4-1-20250805')).toBe('claude-opus-4-1');
    expect(table.modelFor('claude-haiku-4-5-20251001')).toBe('claude-haiku-4-5');
    // Not a dated variant: a different model that merely shares characters.
    expect(table.modelFor('claude-sonnet-4-50')).toBeUndefined();
    expect(table.modelFor('gpt-4o')).toBeUndefined();
    // Opus 4.1: 15 / 75 / 18.75 / 1.50 USD per MTok. 10k in, 2k out, 1k cache write, 100k cache read:
    // 0.01 * 15 + 0.002 * 75 + 0.001 * 18.75 + 0.1 * 1.5 = 0.15 + 0.15 + 0.01875 + 0.15 = 0.46875
    expect(
      table.price('claude-opus-4-1-20250805', '2026-11-29T08:00:00.000Z', { input: 10_000, output: 2_000, cacheWrite: 1_000, cacheRead: 100_000 }),
    ).toEqual({
      amount: 0.46875,
      currency: 'USD',
      priceVersion: `${table.version}/claude-opus-4-1@2025-08-05`,
    });
    // Haiku 4.5 before its effective date: no price, not zero.
    expect(table.price('claude-haiku-4-5', '2025-10-14T23:59:59.000Z', { input: 1 })).toBeUndefined();
  });

  it('matches exact ids, dated ids and provider spellings, never a family prefix', () => {
    const table = loadPricingTable();
    expect(table.modelFor('claude-opus-4-5-20251101')).toBe('claude-opus-4-5');
    expect(table.modelFor('claude-opus-4-20250514')).toBe('claude-opus-4');
    expect(table.modelFor('claude-opus-4-6')).toBe('claude-opus-4-6');
    expect(table.modelFor('claude-sonnet-4-20250514')).toBe('claude-sonnet-4');
    expect(table.modelFor('claude-3-7-sonnet-20250219')).toBe('claude-3-7-sonnet');
    expect(table.modelFor('claude-3-5-haiku-20241022')).toBe('claude-3-5-haiku');
    expect(table.modelFor('claude-opus-4-1@20250805')).toBe('claude-opus-4-1');
    expect(table.modelFor('us.anthropic.claude-sonnet-4-5-20250929-v1:0')).toBe('claude-sonnet-4-5');
    expect(table.modelFor('anthropic.claude-3-haiku-20240307-v1:0')).toBe('claude-3-haiku');
    // Not a date suffix, not the family: unknown, not Opus 4's price (3x too much).
    expect(table.modelFor('claude-opus-4-5-2025110')).toBeUndefined();
    expect(table.modelFor('claude-opus-4-7')).toBeUndefined();
    expect(table.modelFor('<synthetic>')).toBeUndefined();
    // Opus 4.5 at 5 / 25 (not Opus 4's 15 / 75): 1M in + 0.1M out = 5 + 2.5.
    expect(table.price('claude-opus-4-5-20251101', '2026-01-10T00:00:00Z', { input: 1_000_000, output: 100_000 })?.amount).toBe(7.5);
  });

  it('prices 5-minute and 1-hour cache writes at their rates, and long-context requests at theirs', () => {
    const table = loadPricingTable();
    const at = '2026-01-10T00:00:00Z';
    // Sonnet 4.5: 1k in * 3 + 100 out * 15 + 1k 5m * 3.75 + 2k 1h * 6 = 3000 + 1500 + 3750 + 12000 µ$ = 0.02025
    expect(table.price('claude-sonnet-4-5', at, { input: 1000, output: 100, cacheWrite: 3000, cacheWrite5m: 1000, cacheWrite1h: 2000 })?.amount).toBe(0.02025);
    // No split: the whole write at the 5-minute rate: 3000 + 1500 + 3000 * 3.75 = 15750 µ$.
    expect(table.price('claude-sonnet-4-5', at, { input: 1000, output: 100, cacheWrite: 3000 })?.amount).toBe(0.01575);
    // At 200,000 prompt tokens the standard rate (0.3 + 0.03 + 0.015); above it the long-context rate (6 / 22.5 / 7.5 / 12 / 0.6):
    // 100,001 * 6 + 100,000 * 0.6 + 1,000 * 22.5 = 682,506 µ$.
    expect(table.price('claude-sonnet-4-5', at, { input: 100_000, cacheRead: 100_000, output: 1000 })).toMatchObject({ amount: 0.345 });
    expect(table.price('claude-sonnet-4-5', at, { input: 100_001, cacheRead: 100_000, output: 1000 })).toMatchObject({
      amount: 0.682506,
      priceVersion: `${table.version}/claude-sonnet-4-5@2025-09-29+long-context`,
    });
    // Haiku 4.5 has no long-context tier: 300k in at 1 = 0.3.
    expect(table.price('claude-haiku-4-5', at, { input: 300_000 })?.amount).toBe(0.3);
  });

  it('prices every model the transcript fixtures and the sample use', () => {
    const table = loadPricingTable();
    const models = new Set<string>();
    for (const dir of [path.resolve(import.meta.dirname, '../fixtures/claude'), path.resolve(import.meta.dirname, '../../examples/bmad-v6-sample-claude')]) {
      for (const f of fs.readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
        if (!f.endsWith('.jsonl')) continue;
        for (const m of fs.readFileSync(path.join(dir, f), 'utf8').matchAll(/"model":"([^"]+)"/g)) if (m[1] !== '<synthetic>') models.add(m[1]!);
      }
    }
    expect(models.size).toBeGreaterThan(3);
    expect([...models].filter((m) => table.modelFor(m) === undefined)).toEqual([]);
  });

  it('rejects bad files naming the file and the field', () => {
    const bad = (name: string, content: string) => {
      const file = path.join(dir, name);
      fs.writeFileSync(file, content);
      return () => loadPricingTable(file);
    };
    expect(bad('not-json.json', '{')).toThrow(PricingFileError);
    expect(bad('no-version.json', JSON.stringify({ currency: 'USD', models: {} }))).toThrow(/no-version\.json[\s\S]*version/);
    expect(
      bad(
        'bad-date.json',
        JSON.stringify({
          version: '1',
          currency: 'USD',
          models: { m: { prices: [{ effectiveFrom: '2026-13-01', input: 1, output: 1, cacheWrite: 1, cacheRead: 1 }] } },
        }),
      ),
    ).toThrow(/models\.m\.prices\.0\.effectiveFrom/);
    expect(
      bad(
        'dup.json',
        JSON.stringify({
          version: '1',
          currency: 'USD',
          models: { m: { prices: [0, 0].map(() => ({ effectiveFrom: '2026-01-01', input: 1, output: 1, cacheWrite: 1, cacheRead: 1 })) } },
        }),
      ),
    ).toThrow(/models\.m\.prices: effectiveFrom dates must be unique/);
    expect(
      bad(
        'extra.json',
        JSON.stringify({
          version: '1',
          currency: 'USD',
          models: { m: { prices: [{ effectiveFrom: '2026-01-01', input: 1, output: 1, cacheWrite: 1, cacheRead: 1, tier: 2 }] } },
        }),
      ),
    ).toThrow(/models\.m\.prices\.0/);
  });
});
