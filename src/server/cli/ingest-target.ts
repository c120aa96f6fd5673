import fs from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError } from 'commander';
import { ingestResponseSchema } from '../../contracts/index.js';
import type { Ingest } from '../importers/claude/batcher.js';

export type { Ingest };

export function parseDir(value: string): string {
  const dir = path.resolve(value);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new InvalidArgumentError(`${value} is not a directory`);
  return dir;
}

export function parseUrl(value: string): string {
  try {
    const u = new URL(value);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
    return u.origin + u.pathname.replace(/\/+$/, '');
  } catch {
    throw new InvalidArgumentError(`--url must be an http(s) URL such as http://127.0.0.1:8080 (got "${value}")`);
  }
}

/** Posts to a remote server's public ingestion API, with the answers checked against the shared contract. */
export function remoteIngest(url: string, key: string): Ingest {
  return async (events) => {
    const res = await fetch(`${url}/api/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ events }),
    });
    const body: unknown = await res.json().catch(() => undefined);
    if (res.status === 401 || res.status === 403) throw new Error(`the server refused the key (${res.status}): it needs the ingest scope`);
    const parsed = ingestResponseSchema.safeParse(body);
    if (!parsed.success) throw new Error(`the server answered ${res.status}: ${JSON.stringify(body).slice(0, 300)}`);
    // A key bound to other sources refuses every event: say how to make the right key instead of counting rejections.
    const refused = parsed.data.results.find((r) => r.status === 'rejected' && r.code === 'source_not_allowed');
    if (refused)
      throw new Error(
        `the key may not write source "${refused.source}": create one with \`bmad-ops key create --name … --scope ingest --source ${refused.source}\``,
      );
    return parsed.data;
  };
}
