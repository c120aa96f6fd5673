import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorBodySchema, ingestResponseSchema } from '../../src/contracts/index.js';
import { ConfigError, loadConfig } from '../../src/server/config.js';
import { DocumentRoots, type ResolveResult } from '../../src/server/modules/documents/document-roots.js';
import { T0 } from '../support/events.js';
import { ingestIds } from '../support/ingest.js';
import { startTestServer, tempDir, type TestServer } from '../support/test-server.js';

/**
 * Layout used throughout:
 *   base/root/docs/ok.md               a normal file
 *   base/root/docs/inner-link.md       -> ok.md (a symlink that stays inside)
 *   base/root/docs/evil.md             -> /etc/passwd
 *   base/root/docs/sibling.md          -> base/outside/secret.md (outside, and a prefix-lookalike of nothing)
 *   base/root/docs/dangling-out.md     -> base/outside/nothing.md (missing, outside)
 *   base/root/docs/dangling-in.md      -> base/root/docs/nothing.md (missing, inside)
 *   base/root/linked-dir               -> base/outside (a symlinked directory escape)
 *   base/root/linked-inside            -> base/root/docs (a symlinked directory that stays inside)
 *   base/root/loop-a <-> loop-b        a symlink loop
 *   base/root-evil/secret.md           a sibling whose name starts with the root's name
 *   base/outside/secret.md
 *   base/root-link                     -> base/root (the root itself reached through a symlink)
 */
let base: string;
let rootDir: string;
let outside: string;

function symlink(target: string, at: string): void {
  fs.symlinkSync(target, path.join(rootDir, ...at.split('/')));
}

beforeAll(() => {
  base = tempDir('bmad-ops-docsec-');
  rootDir = path.join(base, 'root');
  outside = path.join(base, 'outside');
  fs.mkdirSync(path.join(rootDir, 'docs'), { recursive: true });
  fs.mkdirSync(outside);
  fs.mkdirSync(path.join(base, 'root-evil'));
  fs.writeFileSync(path.join(rootDir, 'docs', 'ok.md'), '# ok\n');
  fs.writeFileSync(path.join(outside, 'secret.md'), 'TOP SECRET\n');
  fs.writeFileSync(path.join(base, 'root-evil', 'secret.md'), 'TOP SECRET\n');
  symlink('ok.md', 'docs/inner-link.md');
  symlink('/etc/passwd', 'docs/evil.md');
  symlink(path.join(outside, 'secret.md'), 'docs/sibling.md');
  symlink(path.join(outside, 'nothing.md'), 'docs/dangling-out.md');
  symlink('nothing.md', 'docs/dangling-in.md');
  symlink(outside, 'linked-dir');
  symlink('docs', 'linked-inside');
  symlink('loop-b', 'loop-a');
  symlink('loop-a', 'loop-b');
  fs.symlinkSync(rootDir, path.join(base, 'root-link'));
});

afterAll(() => {
  if (base) fs.rmSync(base, { recursive: true, force: true });
});

describe('DocumentRoots', () => {
  const roots = new DocumentRoots();
  const kindOf = (r: ResolveResult) => (r.ok ? 'ok' : r.kind);

  beforeAll(() => {
    roots.register('proj', rootDir);
    roots.register('via-link', path.join(base, 'root-link'));
  });

  it('resolves a plain path, and a symlink that stays inside, to the real file', async () => {
    const real = fs.realpathSync(path.join(rootDir, 'docs', 'ok.md'));
    expect(await roots.resolve('proj', 'docs/ok.md')).toEqual({ ok: true, path: real, rootId: 'proj' });
    expect(await roots.resolve('proj', 'docs/inner-link.md')).toMatchObject({ ok: true, path: real });
    expect(await roots.resolve('proj', 'linked-inside/ok.md')).toMatchObject({ ok: true, path: real });
    expect(await roots.resolve('proj', './docs/ok.md')).toMatchObject({ ok: true, path: real });
    // A root registered through a symlink: realpath on both sides.
    expect(await roots.resolve('via-link', 'docs/ok.md')).toMatchObject({ ok: true, path: real });
  });

  it('refuses paths that are not plainly inside the root', async () => {
    const bad = [
      '../outside/secret.md',
      'docs/../../outside/secret.md',
      '..',
      '../root-evil/secret.md',
      '/etc/passwd',
      path.join(outside, 'secret.md'),
      'C:/Windows/win.ini',
      'c:secret',
      'docs\\..\\..\\outside\\secret.md',
      'docs/ok.md\0.png',
      'docs//ok.md',
      'docs/ok.md/',
      '',
      '.',
    ];
    for (const p of bad) expect(kindOf(await roots.resolve('proj', p)), JSON.stringify(p)).toBe('outside_root');
  });

  it('refuses symlinks whose real location is outside the root, existing or not', async () => {
    for (const p of ['docs/evil.md', 'docs/sibling.md', 'linked-dir/secret.md', 'docs/dangling-out.md', 'linked-dir/nothing.md', 'linked-dir', 'loop-a']) {
      expect(kindOf(await roots.resolve('proj', p)), p).toBe('symlink_escape');
    }
  });

  it('answers missing for a file that is not there (inside the root)', async () => {
    for (const p of ['docs/nothing.md', 'nowhere/nothing.md', 'docs/dangling-in.md', 'docs/ok.md/below']) {
      expect(kindOf(await roots.resolve('proj', p)), p).toBe('missing');
    }
  });

  it('refuses directories and special files', async () => {
    expect(kindOf(await roots.resolve('proj', 'docs'))).toBe('not_a_file');
    expect(kindOf(await roots.resolve('proj', 'linked-inside'))).toBe('not_a_file');
    let fifo = false;
    try {
      execFileSync('mkfifo', [path.join(rootDir, 'docs', 'pipe.md')]);
      fifo = true;
    } catch {
      // no mkfifo here: the directory case above covers "not a regular file"
    }
    if (fifo) {
      expect(kindOf(await roots.resolve('proj', 'docs/pipe.md'))).toBe('not_a_file');
      expect(kindOf(await roots.open('proj', 'docs/pipe.md'))).toBe('not_a_file');
    }
  });

  it('refuses an unknown root, and a root after it is unregistered', async () => {
    expect(kindOf(await roots.resolve('nope', 'docs/ok.md'))).toBe('unknown_root');
    const r = new DocumentRoots();
    r.register('tmp', rootDir);
    expect(kindOf(await r.resolve('tmp', 'docs/ok.md'))).toBe('ok');
    expect(r.unregister('tmp')).toBe(true);
    expect(r.unregister('tmp')).toBe(false);
    expect(kindOf(await r.resolve('tmp', 'docs/ok.md'))).toBe('unknown_root');
  });

  it('answers missing when the root directory itself is gone', async () => {
    const r = new DocumentRoots();
    r.register('gone', path.join(base, 'no-such-dir'));
    expect(kindOf(await r.resolve('gone', 'docs/ok.md'))).toBe('missing');
  });

  it('only accepts absolute root directories', () => {
    const r = new DocumentRoots();
    expect(() => r.register('rel', 'relative/dir')).toThrow(/absolute/);
    expect(() => r.register('', rootDir)).toThrow(/invalid document root id/);
  });

  it('opens a resolved file and hands back a handle on it', async () => {
    const opened = await roots.open('proj', 'docs/inner-link.md');
    expect(opened.ok).toBe(true);
    if (!opened.ok) return;
    try {
      expect(opened.size).toBe(5);
      expect((await opened.handle.readFile()).toString()).toBe('# ok\n');
    } finally {
      await opened.handle.close();
    }
    expect(kindOf(await roots.open('proj', 'docs/evil.md'))).toBe('symlink_escape');
  });
});

describe('dot-files and hard links', () => {
  const roots = new DocumentRoots();
  const kindOf = (r: ResolveResult) => (r.ok ? 'ok' : r.kind);
  beforeAll(() => {
    roots.register('proj', rootDir);
    fs.writeFileSync(path.join(rootDir, '.env'), 'SECRET=1\n');
    fs.mkdirSync(path.join(rootDir, '.git'), { recursive: true });
    fs.writeFileSync(path.join(rootDir, '.git', 'config'), '[remote]\n');
    fs.linkSync(path.join(outside, 'secret.md'), path.join(rootDir, 'docs', 'hard.md'));
    fs.symlinkSync('../.env', path.join(rootDir, 'docs', 'env-link.md'));
  });

  it('never serves a dot-file or anything in a dot-folder, by name or through a symlink', async () => {
    for (const p of ['.env', '.git/config', 'docs/.hidden.md', '.git/../docs/ok.md']) expect(kindOf(await roots.resolve('proj', p)), p).not.toBe('ok');
    expect(kindOf(await roots.resolve('proj', '.env'))).toBe('hidden');
    expect(kindOf(await roots.resolve('proj', '.git/config'))).toBe('hidden');
    expect(kindOf(await roots.resolve('proj', 'docs/env-link.md'))).toBe('hidden');
  });

  it('refuses a hard link (the same inode may be a file outside the root)', async () => {
    expect(kindOf(await roots.resolve('proj', 'docs/hard.md'))).toBe('hard_link');
    expect(kindOf(await roots.open('proj', 'docs/hard.md'))).toBe('hard_link');
  });
});

describe('documents.roots config', () => {
  it('reads BMAD_OPS_DOCUMENT_ROOTS', () => {
    const config = loadConfig({ BMAD_OPS_DOCUMENT_ROOTS: `a=${rootDir}, b.2=${outside}` });
    expect(config.documents.roots).toEqual({ a: rootDir, 'b.2': outside });
    expect(loadConfig({}).documents).toEqual({ roots: {}, maxInlineBytes: 20 * 1024 * 1024 });
  });

  it('names the variable when an entry is malformed', () => {
    for (const value of ['a=relative/dir', `=${rootDir}`, rootDir, `a=${rootDir},a=${outside}`, `bad id=${rootDir}`]) {
      expect(() => loadConfig({ BMAD_OPS_DOCUMENT_ROOTS: value }), value).toThrow(ConfigError);
      expect(() => loadConfig({ BMAD_OPS_DOCUMENT_ROOTS: value }), value).toThrow(/BMAD_OPS_DOCUMENT_ROOTS/);
    }
  });
});

describe('content routes refuse what is outside the roots', () => {
  let t: TestServer;
  const statuses: number[] = [];
  let seq = 0;

  const registered = (id: string, root: string, relPath: string, mimeType = 'text/markdown') => ({
    id: `sec-evt-${++seq}`,
    source: 'test',
    type: 'document.registered',
    occurredAt: T0,
    entity: { type: 'document', id },
    payload: { projectId: 'p-sec', title: id, mimeType, root, path: relPath, kind: 'test' },
  });

  async function content(id: string): Promise<{ status: number; code: string | undefined; text: string; headers: Headers }> {
    const res = await t.get(`/api/v1/documents/${id}/content`);
    statuses.push(res.status);
    const text = await res.text();
    let code: string | undefined;
    try {
      code = errorBodySchema.parse(JSON.parse(text)).error.code;
    } catch {
      code = undefined;
    }
    return { status: res.status, code, text, headers: res.headers };
  }

  beforeAll(async () => {
    // One root from the config, one registered at runtime (as the BMAD connector does).
    t = await startTestServer({ config: { documents: { roots: { cfg: rootDir } } } });
    t.server.documentRoots.register('proj', rootDir);
    await ingestIds(t, [
      registered('sec-ok', 'proj', 'docs/ok.md'),
      registered('sec-cfg', 'cfg', 'docs/ok.md'),
      registered('sec-inner-link', 'proj', 'docs/inner-link.md'),
      registered('sec-evil', 'proj', 'docs/evil.md'),
      registered('sec-sibling', 'proj', 'docs/sibling.md'),
      registered('sec-dir-escape', 'proj', 'linked-dir/secret.md'),
      registered('sec-dangling-out', 'proj', 'docs/dangling-out.md'),
      registered('sec-loop', 'proj', 'loop-a'),
      registered('sec-unknown-root', 'not-registered', 'docs/ok.md'),
      registered('sec-missing', 'proj', 'docs/nothing.md'),
      registered('sec-directory', 'proj', 'docs'),
      registered('sec-evil-png', 'proj', 'docs/evil.md', 'image/png'),
    ]);
  });

  afterAll(async () => {
    await t?.close();
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
  });

  it('serves files inside the root, from a config root and a registered one, through inside symlinks', async () => {
    for (const id of ['sec-ok', 'sec-cfg', 'sec-inner-link']) {
      const r = await content(id);
      expect(r.status, id).toBe(200);
      expect(r.text).toBe('# ok\n');
    }
  });

  it('answers 403 for symlinks out of the root, and never sends the file', async () => {
    for (const id of ['sec-evil', 'sec-sibling', 'sec-dir-escape', 'sec-dangling-out', 'sec-loop']) {
      const r = await content(id);
      expect(r.status, id).toBe(403);
      expect(r.code, id).toBe('document_symlink_escape');
      expect(r.text).not.toContain('root:');
      expect(r.text).not.toContain('TOP SECRET');
      expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    }
  });

  it('answers 403 for an unknown root, and for a root once unregistered', async () => {
    expect(await content('sec-unknown-root')).toMatchObject({ status: 403, code: 'document_root_unknown' });
    t.server.documentRoots.unregister('proj');
    try {
      expect(await content('sec-ok')).toMatchObject({ status: 403, code: 'document_root_unknown' });
    } finally {
      t.server.documentRoots.register('proj', rootDir);
    }
    expect((await content('sec-ok')).status).toBe(200);
  });

  it('answers 403 for a directory, 404 document_content_missing for a missing file', async () => {
    expect(await content('sec-directory')).toMatchObject({ status: 403, code: 'document_not_a_file' });
    expect(await content('sec-missing')).toMatchObject({ status: 404, code: 'document_content_missing' });
  });

  it('never opens a non-renderable document, wherever it points', async () => {
    const r = await content('sec-evil-png');
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text)).toMatchObject({ renderable: false, mimeType: 'image/png', sizeBytes: null });
  });

  it('rejects registrations whose path leaves the root at ingestion (207, per event)', async () => {
    const bad = ['../outside/secret.md', 'docs/../../x.md', '/etc/passwd', 'C:/x.md', 'docs\\x.md', 'docs//x.md', ''];
    const res = await t.ingest([...bad.map((p, i) => registered(`sec-bad-${i}`, 'proj', p)), registered('sec-good', 'proj', 'docs/ok.md')]);
    expect(res.status).toBe(207);
    const body = ingestResponseSchema.parse(await res.json());
    expect(body.results.map((r) => r.status)).toEqual([...bad.map(() => 'rejected'), 'accepted']);
    for (const r of body.results.slice(0, bad.length)) {
      expect(r.status === 'rejected' && r.errors.some((f) => f.path === 'payload.path'), JSON.stringify(r)).toBe(true);
    }
    for (let i = 0; i < bad.length; i++) expect((await t.get(`/api/v1/documents/sec-bad-${i}`)).status).toBe(404);
  });

  it('answers 401 on the content route without a token', async () => {
    const res = await t.get('/api/v1/documents/sec-ok/content', null);
    statuses.push(res.status);
    expect(res.status).toBe(401);
    expect(await res.text()).not.toContain('# ok');
  });
});

describe("a connected project's folder serves only what its connector registered", () => {
  let t: TestServer;
  let project: string;
  beforeAll(async () => {
    project = path.join(tempDir('bmad-ops-docown-'), 'streakly');
    fs.cpSync(path.resolve(import.meta.dirname, '../../examples/bmad-v6-sample'), project, { recursive: true });
    fs.writeFileSync(path.join(project, '.env'), 'DATABASE_PASSWORD=hunter2\n');
    t = await startTestServer({ config: { bmad: { projects: [project], gitHistory: false } } });
  });
  afterAll(async () => {
    await t.close();
    fs.rmSync(path.dirname(project), { recursive: true, force: true });
  });

  it("an ingest key registering .env or a project file gets 403, never the bytes; the connector's own documents still open", async () => {
    const doc = (id: string, relPath: string) => ({
      id: `own-${id}`,
      source: 'attacker',
      type: 'document.registered',
      occurredAt: new Date().toISOString(),
      entity: { type: 'document', id },
      payload: { projectId: 'bmad:streakly', title: id, mimeType: 'text/plain', root: 'streakly', path: relPath, kind: 'test' },
    });
    expect((await t.ingest([doc('stolen-env', '.env'), doc('stolen-prd', 'docs/prd.md')])).status).toBeLessThan(300);
    for (const id of ['stolen-env', 'stolen-prd']) {
      const res = await t.get(`/api/v1/documents/${id}/content`);
      expect(res.status).toBe(403);
      const text = await res.text();
      expect(text).not.toContain('hunter2');
      expect(errorBodySchema.parse(JSON.parse(text)).error.code).toBe('document_not_registered_by_root_owner');
    }
    const list = (await (await t.get('/api/v1/documents?projectId=bmad%3Astreakly&pageSize=100')).json()) as { items: { id: string; root: string | null }[] };
    const own = list.items.find((d) => d.root === 'streakly' && !d.id.startsWith('stolen'));
    expect(own).toBeDefined();
    expect((await t.get(`/api/v1/documents/${encodeURIComponent(own!.id)}/content`)).status).toBe(200);
  });
});
