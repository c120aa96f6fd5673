import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

/** Issue 17's budget for the JavaScript a first load waits for, gzipped. */
export const INITIAL_JS_BUDGET_BYTES = 150 * 1024;

/**
 * The JavaScript a first load of the built app (`webDir` = dist/web) waits for: the entry module, every modulepreload
 * and the classic theme script, each gzipped at level 9; with all JS and CSS for comparison.
 */
export const gzipSize = (file: string) => zlib.gzipSync(fs.readFileSync(file), { level: 9 }).length;

export interface InitialJs {
  files: { file: string; bytes: number; gzipBytes: number }[];
  initialGzipBytes: number;
  allJsGzipBytes: number;
  allJsFiles: number;
  cssGzipBytes: number;
}

export function measureInitialJs(webDir: string): InitialJs {
  const html = fs.readFileSync(path.join(webDir, 'index.html'), 'utf8');
  const urls = [
    // The entry module, and the classic theme script that runs before it (it is JavaScript the page waits for too).
    ...[...html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"[^>]*>/g)].map((m) => m[1]!),
    ...[...html.matchAll(/<link\b[^>]*\brel="modulepreload"[^>]*>/g)].map((m) => /\bhref="([^"]+)"/.exec(m[0])?.[1]).filter((u): u is string => !!u),
  ];
  const files = [...new Set(urls)].map((u) => {
    const file = path.join(webDir, new URL(u, 'http://x/').pathname);
    return { file: path.relative(webDir, file), bytes: fs.statSync(file).size, gzipBytes: gzipSize(file) };
  });
  const assets = fs.readdirSync(path.join(webDir, 'assets'));
  const allJs = assets.filter((f) => f.endsWith('.js')).map((f) => gzipSize(path.join(webDir, 'assets', f)));
  const css = assets.filter((f) => f.endsWith('.css')).map((f) => gzipSize(path.join(webDir, 'assets', f)));
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  return { files, initialGzipBytes: sum(files.map((f) => f.gzipBytes)), allJsGzipBytes: sum(allJs), allJsFiles: allJs.length, cssGzipBytes: sum(css) };
}
