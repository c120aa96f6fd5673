/**
 * The analytics rollup's worker thread is a second V8 isolate: every module it loads is compiled and held a second
 * time (through the module indexes it used to load 192 files: Express, the auth module, every contract schema).
 * It reaches other modules through their data.ts surface and the contracts' plain files. This walks the runtime
 * imports of its entry point (an `import type` is erased; under verbatimModuleSyntax every other import is kept) and
 * fails on any route, module index or HTTP package among them.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const ENTRY = path.join(ROOT, 'src/server/modules/analytics/rollup-thread/rollup-worker.ts');

const FORBIDDEN: readonly [RegExp, string][] = [
  [/^src\/server\/modules\/[^/]+\/index\.ts$/, 'a module index (routes and services): use its data.ts'],
  [/^src\/contracts\/index\.ts$/, 'every contract schema: import the plain file (time.ts, version-order.ts)'],
  [/^src\/server\/http\//, 'the HTTP layer'],
  [/\.routes\.ts$/, 'a route'],
  [/^(express|openid-client|ws)$/, 'an HTTP package'],
];

/** Module specifiers a file loads at run time. */
function runtimeImports(file: string): string[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  const out: string[] = [];
  for (const node of source.statements) {
    if (ts.isImportDeclaration(node) && !node.importClause?.isTypeOnly && ts.isStringLiteral(node.moduleSpecifier)) out.push(node.moduleSpecifier.text);
    if (ts.isExportDeclaration(node) && !node.isTypeOnly && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier))
      out.push(node.moduleSpecifier.text);
  }
  return out;
}

/** Every file and package reachable from the entry, each with the chain that reached it. */
function reachable(entry: string): Map<string, string[]> {
  const chains = new Map<string, string[]>([[path.relative(ROOT, entry), []]]);
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.shift()!;
    const chain = [...chains.get(path.relative(ROOT, file))!, path.relative(ROOT, file)];
    for (const spec of runtimeImports(file)) {
      if (!spec.startsWith('.')) {
        const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
        if (!chains.has(pkg)) chains.set(pkg, chain);
        continue;
      }
      const target = path.resolve(path.dirname(file), spec).replace(/\.js$/, '.ts');
      const rel = path.relative(ROOT, target);
      if (chains.has(rel)) continue;
      chains.set(rel, chain);
      queue.push(target);
    }
  }
  return chains;
}

describe('the rollup worker loads only what the fold needs', () => {
  const graph = reachable(ENTRY);

  it('reaches no route, module index, HTTP layer or HTTP package', () => {
    const violations = [...graph]
      .flatMap(([mod, chain]) => FORBIDDEN.filter(([re]) => re.test(mod)).map(([, why]) => `${mod} (${why}), via ${chain.join(' → ')}`))
      .sort();
    expect(violations).toEqual([]);
  });

  it('walks the real graph (the fold, the connection and the repositories it writes are in it)', () => {
    for (const mod of [
      'src/server/modules/analytics/rollup.job.ts',
      'src/server/modules/analytics/rollup-batch.ts',
      'src/server/db/sqlite-connection.ts',
      'src/server/modules/costs/costs.repository.ts',
      'better-sqlite3',
    ])
      expect(graph.has(mod), mod).toBe(true);
    expect(graph.size).toBeLessThan(80);
  });
});
