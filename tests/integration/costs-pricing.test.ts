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
    expect(table.price('claude-opus-4-1-20250805', '2026-11-29T08:00:00.000Z', { input: 10_000, output: 2_000, cacheWrite: 1_000, cacheRead: 100_000 })).toEqual({
      amount: 0.46875,
      currency: 'USD',
      priceVersion: `${table.version}/claude-opus-4-1@2025-08-05`,
    });
    // Haiku 4.5 before its effective date: no price, not zero.
    expect(table.price('claude-haiku-4-5', '2025-10-14T23:59:59.000Z', { input: 1 })).toBeUndefined();
  });

  it('rejects bad files naming the file and the field', () => {
    const bad = (name: string, content: string) => {
      const file = path.join(dir, name);
      fs.writeFileSync(file, content);
      return () => loadPricingTable(file);
    };
    expect(bad('not-json.json', '{')).toThrow(PricingFileError);
    expect(bad('no-version.json', JSON.stringify({ currency: 'USD', models: {} }))).toThrow(/no-version\.json[\s\S]*version/);
    expect(bad('bad-date.json', JSON.stringify({ version: '1', currency: 'USD', models: { m: { prices: [{ effectiveFrom: '2026-13-01', input: 1, output: 1, cacheWrite: 1, cacheRead: 1 }] } } }))).toThrow(
      /models\.m\.prices\.0\.effectiveFrom/,
    );
    expect(
      bad(
        'dup.json',
        JSON.stringify({ version: '1', currency: 'USD', models: { m: { prices: [0, 0].map(() => ({ effectiveFrom: '2026-01-01', input: 1, output: 1, cacheWrite: 1, cacheRead: 1 })) } } }),
      ),
    ).toThrow(/models\.m\.prices: effectiveFrom dates must be unique/);
    expect(bad('extra.json', JSON.stringify({ version: '1', currency: 'USD', models: { m: { prices: [{ effectiveFrom: '2026-01-01', input: 1, output: 1, cacheWrite: 1, cacheRead: 1, tier: 2 }] } } }))).toThrow(
      /models\.m\.prices\.0/,
    );
  });
});
