import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const version = (pkg: string) => (require(`${pkg}/package.json`) as { version: string }).version.split('.').map(Number);
const atLeast = (v: number[], min: number[]) => {
  for (let i = 0; i < min.length; i++) if ((v[i] ?? 0) !== min[i]) return (v[i] ?? 0) > min[i]!;
  return true;
};

/** Releases below these carry advisories this product is exposed to; the lock file must never slide back. */
describe('dependencies past their advisories', () => {
  it.each([
    // GHSA-96hv-2xvq-fx4p: memory exhaustion by a flood of tiny fragments, reachable before authentication.
    ['ws', [8, 21, 0]],
    // CVE-2026-16633 (GHSA-hq66-cqwq-w95j): script execution from a malicious PDF.
    ['pdfjs-dist', [6, 2, 108]],
  ] as const)('%s is at least %j', (pkg, min) => {
    expect(atLeast(version(pkg), [...min])).toBe(true);
  });
});
