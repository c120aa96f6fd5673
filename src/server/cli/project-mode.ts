import { mkdirSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { detectLayout } from '../connector/bmad/parse/layout.js';

/** Where `npx bmad-ops` keeps its data when started in a project folder: $XDG_DATA_HOME/bmad-ops, else ~/.local/share/bmad-ops. */
export function userDataDir(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_DATA_HOME && path.isAbsolute(env.XDG_DATA_HOME) ? env.XDG_DATA_HOME : path.join(os.homedir(), '.local', 'share');
  const dir = path.join(base, 'bmad-ops');
  // Created private: it holds the database, sessions and key hashes.
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/** Whether `dir` holds a BMAD project (what `npx bmad-ops` in a project folder connects). */
export async function isBmadProject(dir: string): Promise<boolean> {
  try {
    await detectLayout(dir);
    return true;
  } catch {
    return false;
  }
}

/** The first port from `start` on that can be listened on (another dashboard may hold 8080). */
export async function firstFreePort(host: string, start: number, tries = 20): Promise<number> {
  for (let port = start; port < start + tries; port++) {
    const free = await new Promise<boolean>((resolve) => {
      const probe = net.createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, host, () => probe.close(() => resolve(true)));
    });
    if (free) return port;
  }
  return 0;
}
