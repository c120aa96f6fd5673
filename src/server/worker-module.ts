import fs from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * Starts a worker thread on the module `name` (without extension) beside `here` (the caller's import.meta.url). Run
 * from source (tsx, vitest) the module is TypeScript, which a worker thread only loads with tsx's loader registered
 * inside it; the built server runs the compiled .js directly.
 */
export function startWorkerModule(here: string, name: string, workerData: unknown): Worker {
  if (!here.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, here), { workerData });
  // tsx's ESM entry, found through its package.json: require.resolve would pick the CommonJS build, whose register()
  // cannot run inside a worker.
  const pkg = createRequire(here).resolve('tsx/package.json');
  const exports = (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { exports: Record<string, { import: { default: string } }> }).exports;
  const tsx = new URL(exports['./esm/api']!.import.default, pathToFileURL(pkg)).href;
  const entry = new URL(`./${name}.ts`, here).href;
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { eval: true, workerData });
}
