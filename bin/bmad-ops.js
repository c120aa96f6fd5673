#!/usr/bin/env node
// Runs the compiled CLI. `npm run build` (or `npm start`) produces dist/.
import { existsSync } from 'node:fs';
const entry = new URL('../dist/server/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('bmad-ops: dist/ is missing; run `npm run build` first\n');
  process.exit(1);
}
await import(entry.href);
