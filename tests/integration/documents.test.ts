import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentContentFallbackSchema, documentPageSchema, documentSchema, errorBodySchema, ingestResponseSchema } from '../../src/contracts/index.js';
import { T0, at } from '../support/events.js';
import { ingestIds } from '../support/ingest.js';
import { startTestServer, tempDir, type TestServer } from '../support/test-server.js';

let t: TestServer;
let root: string;
const statuses: number[] = [];

const sha = (data: string | Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;
let seq = 0;

function documentRegistered(id: string, payload: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    id: `doc-evt-${++seq}`,
    source: 'test',
    type: 'document.registered',
    occurredAt: T0,
    entity: { type: 'document', id },
    payload: { projectId: 'p-1', title: `Document ${id}`, mimeType: 'text/markdown', root: 'proj', path: 'docs/prd.md', kind: 'prd', ...payload },
    ...extra,
  };
}

function documentRemoved(id: string, occurredAt: string) {
  return {
    id: `doc-evt-${++seq}`,
    source: 'test',
    type: 'document.removed',
    occurredAt,
    entity: { type: 'document', id },
    payload: { reason: 'file deleted' },
  };
}

function write(rel: string, data: string | Buffer): { path: string; checksum: string; sizeBytes: number } {
  const file = path.join(root, ...rel.split('/'));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, data);
  return { path: rel, checksum: sha(data), sizeBytes: Buffer.byteLength(data) };
}

async function get(pathname: string, headers: Record<string, string> = {}, token: string | null = t.keys.read): Promise<Response> {
  const res = await fetch(`${t.url}${pathname}`, { headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } });
  statuses.push(res.status);
  return res;
}

const PRD = '# PRD\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n<script>alert(1)</script>\n';
const JSON_DOC = '{"stepsCompleted":[1,2,3]}\n';
const YAML_DOC = 'development_status:\n  1-1-login: done # comment\n';
const PDF = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(2000), Buffer.from('\n%%EOF\n')]);
const BIG = randomBytes(3 * 1024 * 1024 + 123);

beforeAll(async () => {
  t = await startTestServer();
  root = tempDir('bmad-ops-docs-');
  t.server.documentRoots.register('proj', root);
  const prd = write('docs/prd.md', PRD);
  const arch = write('docs/architecture.md', '# Architecture\n\n```mermaid\ngraph TD; A-->B\n```\n');
  const json = write('docs/status.json', JSON_DOC);
  const yaml = write('docs/sprint-status.yaml', YAML_DOC);
  const txt = write('notes/readme.txt', 'plain text\n');
  const pdf = write('docs/brief.pdf', PDF);
  const png = write('docs/diagram.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const story = write('stories/1-1-login.md', '# Story 1.1: Login\n\nStatus: done\n');
  const odd = write('docs/naïve "plan"; v2.md', '# odd name\n');
  const big = write('docs/big.txt', BIG);
  const changed = write('docs/changed.md', '# changed on disk\n');
  const bigChanged = write('docs/big-changed.txt', BIG);
  write('docs/removed.md', '# removed\n');
  // A sparse file over the 20 MiB inline limit: no bytes are written, so this costs nothing.
  const hugeFile = path.join(root, 'docs', 'huge.md');
  fs.writeFileSync(hugeFile, '');
  fs.truncateSync(hugeFile, 21 * 1024 * 1024);

  await ingestIds(t, [
    documentRegistered('doc-prd', { title: 'PRD', ...prd, kind: 'prd' }),
    documentRegistered('doc-arch', { title: 'Architecture', ...arch, kind: 'architecture' }),
    documentRegistered('doc-json', { title: 'Workflow status', mimeType: 'application/json', ...json, kind: 'status' }),
    documentRegistered('doc-yaml', { title: 'Sprint status', mimeType: 'application/yaml', ...yaml, kind: 'status' }),
    documentRegistered('doc-txt', { title: 'Readme', mimeType: 'text/plain', ...txt, kind: null }),
    documentRegistered('doc-pdf', { title: 'Brief', mimeType: 'application/pdf', ...pdf, kind: 'brief' }),
    documentRegistered('doc-png', { title: 'Diagram', mimeType: 'image/png', ...png, kind: 'diagram' }),
    documentRegistered('doc-story', { title: 'Story 1.1', storyId: 's-1', ...story, kind: 'story' }),
    documentRegistered('doc-odd', { title: 'Odd name', ...odd, kind: 'notes', projectId: 'p-2' }),
    documentRegistered('doc-big', { title: 'Big', mimeType: 'text/plain', ...big, kind: 'log', projectId: 'p-2' }),
    documentRegistered('doc-changed', { title: 'Changed', ...changed, checksum: sha('# what was registered\n'), projectId: 'p-2' }),
    documentRegistered('doc-big-changed', { title: 'Big changed', mimeType: 'text/plain', ...bigChanged, checksum: sha('not this'), projectId: 'p-2' }),
    documentRegistered('doc-huge', { title: 'Huge', path: 'docs/huge.md', sizeBytes: 21 * 1024 * 1024, projectId: 'p-2' }),
    documentRegistered('doc-removed', { title: 'Removed', path: 'docs/removed.md' }, { occurredAt: at(1) }),
    documentRemoved('doc-removed', at(2)),
    // Removed before it was registered (events out of order): the newer removal still wins.
    documentRemoved('doc-removed-early', at(5)),
    documentRegistered('doc-removed-early', { title: 'Removed early', path: 'docs/removed.md' }, { occurredAt: at(4) }),
  ]);
});

afterAll(async () => {
  await t?.close();
  if (root) fs.rmSync(root, { recursive: true, force: true });
  expect(statuses.filter((s) => s >= 500)).toEqual([]);
});

describe('GET /api/v1/documents', () => {
  it('lists live documents ordered by title then id, without removed ones', async () => {
    const res = await get('/api/v1/documents?pageSize=200');
    expect(res.status).toBe(200);
    const page = documentPageSchema.parse(await res.json());
    const titles = page.items.map((d) => d.title);
    expect(titles).toEqual([...titles].sort());
    expect(page.total).toBe(13);
    expect(page.items.map((d) => d.id)).not.toContain('doc-removed');
    expect(page.items.map((d) => d.id)).not.toContain('doc-removed-early');
    const prd = page.items.find((d) => d.id === 'doc-prd');
    expect(prd).toMatchObject({
      projectId: 'p-1',
      title: 'PRD',
      mimeType: 'text/markdown',
      root: 'proj',
      path: 'docs/prd.md',
      kind: 'prd',
      renderable: true,
      sizeBytes: Buffer.byteLength(PRD),
      checksum: sha(PRD),
    });
    expect(page.items.find((d) => d.id === 'doc-png')).toMatchObject({ renderable: false, mimeType: 'image/png' });
  });

  it('filters by project, story and kind', async () => {
    const byProject = documentPageSchema.parse(await (await get('/api/v1/documents?projectId=p-2')).json());
    expect(byProject.items.map((d) => d.id).sort()).toEqual(['doc-big', 'doc-big-changed', 'doc-changed', 'doc-huge', 'doc-odd']);
    const byStory = documentPageSchema.parse(await (await get('/api/v1/documents?storyId=s-1')).json());
    expect(byStory.items.map((d) => d.id)).toEqual(['doc-story']);
    const byKind = documentPageSchema.parse(await (await get('/api/v1/documents?kind=status&projectId=p-1')).json());
    expect(byKind.items.map((d) => d.id)).toEqual(['doc-yaml', 'doc-json']); // "Sprint status" < "Workflow status"
    const none = documentPageSchema.parse(await (await get('/api/v1/documents?projectId=nope')).json());
    expect(none).toEqual({ items: [], page: 1, pageSize: 50, total: 0 });
  });

  it('paginates', async () => {
    const all = documentPageSchema.parse(await (await get('/api/v1/documents?pageSize=200')).json()).items.map((d) => d.id);
    const p2 = documentPageSchema.parse(await (await get('/api/v1/documents?page=2&pageSize=5')).json());
    expect(p2).toMatchObject({ page: 2, pageSize: 5, total: 13 });
    expect(p2.items.map((d) => d.id)).toEqual(all.slice(5, 10));
    const p3 = documentPageSchema.parse(await (await get('/api/v1/documents?page=3&pageSize=5')).json());
    expect(p3.items.map((d) => d.id)).toEqual(all.slice(10));
  });

  it('answers 422 for bad query parameters', async () => {
    for (const q of ['pageSize=0', 'page=abc', 'unknown=1', `kind=${'k'.repeat(65)}`]) {
      const res = await get(`/api/v1/documents?${q}`);
      expect(res.status, q).toBe(422);
      expect(errorBodySchema.parse(await res.json()).error.code).toBe('validation_failed');
    }
  });
});

describe('GET /api/v1/documents/:id', () => {
  it('returns the document', async () => {
    const res = await get('/api/v1/documents/doc-story');
    expect(res.status).toBe(200);
    const doc = documentSchema.parse(await res.json());
    expect(doc).toMatchObject({ id: 'doc-story', storyId: 's-1', kind: 'story', path: 'stories/1-1-login.md', createdAt: T0, updatedAt: T0 });
  });

  it('answers 404 for an unknown or removed document', async () => {
    for (const id of ['doc-nope', 'doc-removed', 'doc-removed-early']) {
      const res = await get(`/api/v1/documents/${id}`);
      expect(res.status, id).toBe(404);
      expect(errorBodySchema.parse(await res.json()).error.code).toBe('not_found');
    }
  });

  it('brings a removed document back when it is registered again later', async () => {
    await ingestIds(t, [documentRegistered('doc-back', { title: 'Back', path: 'docs/removed.md' }, { occurredAt: at(1) }), documentRemoved('doc-back', at(2))]);
    expect((await get('/api/v1/documents/doc-back')).status).toBe(404);
    await ingestIds(t, [documentRegistered('doc-back', { title: 'Back', path: 'docs/removed.md' }, { occurredAt: at(3) })]);
    expect((await get('/api/v1/documents/doc-back')).status).toBe(200);
    expect((await get('/api/v1/documents/doc-back/content')).status).toBe(200);
    await ingestIds(t, [documentRemoved('doc-back', at(4))]);
  });
});

describe('GET /api/v1/documents/:id/content', () => {
  it('serves markdown bytes with the exact type and the safety headers', async () => {
    const res = await get('/api/v1/documents/doc-prd/content');
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).toString('utf8')).toBe(PRD);
    expect(res.headers.get('content-type')).toBe('text/markdown; charset=utf-8');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
    expect(res.headers.get('content-disposition')).toBe('inline; filename=prd.md');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('etag')).toBe(`"${sha(PRD)}"`);
    expect(res.headers.get('content-length')).toBe(String(Buffer.byteLength(PRD)));
    expect(res.headers.get('x-checksum-mismatch')).toBeNull();
  });

  it('answers 304 to a matching If-None-Match, and 200 to a stale one', async () => {
    const etag = `"${sha(PRD)}"`;
    for (const header of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const res = await get('/api/v1/documents/doc-prd/content', { 'if-none-match': header });
      expect(res.status, header).toBe(304);
      expect(await res.text()).toBe('');
      expect(res.headers.get('etag')).toBe(etag);
      expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
    const stale = await get('/api/v1/documents/doc-prd/content', { 'if-none-match': `"${sha('old')}"` });
    expect(stale.status).toBe(200);
    expect(await stale.text()).toBe(PRD);
  });

  it('serves every renderable type with exactly its registered MIME type', async () => {
    const cases: [string, string, string | Buffer][] = [
      ['doc-json', 'application/json', JSON_DOC],
      ['doc-yaml', 'application/yaml', YAML_DOC],
      ['doc-txt', 'text/plain; charset=utf-8', 'plain text\n'],
      ['doc-pdf', 'application/pdf', PDF],
    ];
    for (const [id, type, bytes] of cases) {
      const res = await get(`/api/v1/documents/${id}/content`);
      expect(res.status, id).toBe(200);
      expect(res.headers.get('content-type'), id).toBe(type);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
      expect(Buffer.from(await res.arrayBuffer()).equals(Buffer.from(bytes)), id).toBe(true);
    }
  });

  it('answers a fallback payload, not the bytes, for a type outside the allowlist', async () => {
    const res = await get('/api/v1/documents/doc-png/content');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = documentContentFallbackSchema.parse(await res.json());
    expect(body).toMatchObject({ renderable: false, mimeType: 'image/png', sizeBytes: 8 });
    expect(body.reason).toMatch(/image\/png is not a type the viewer renders inline/);
  });

  it('answers a fallback naming the size for a file over the inline limit', async () => {
    const res = await get('/api/v1/documents/doc-huge/content');
    expect(res.status).toBe(200);
    const body = documentContentFallbackSchema.parse(await res.json());
    expect(body).toMatchObject({ renderable: false, mimeType: 'text/markdown', sizeBytes: 21 * 1024 * 1024 });
    expect(body.reason).toMatch(/over the 20971520-byte limit/);
  });

  it('streams a large file, with its checksum as ETag', async () => {
    const res = await get('/api/v1/documents/doc-big/content');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe(String(BIG.length));
    expect(res.headers.get('etag')).toBe(`"${sha(BIG)}"`);
    expect(res.headers.get('x-checksum-mismatch')).toBeNull();
    expect(Buffer.from(await res.arrayBuffer()).equals(BIG)).toBe(true);
    const cached = await get('/api/v1/documents/doc-big/content', { 'if-none-match': `"${sha(BIG)}"` });
    expect(cached.status).toBe(304);
  });

  it('answers HEAD with the headers and no body', async () => {
    for (const id of ['doc-prd', 'doc-big']) {
      const res = await fetch(`${t.url}/api/v1/documents/${id}/content`, { method: 'HEAD', headers: { authorization: `Bearer ${t.keys.read}` } });
      statuses.push(res.status);
      expect(res.status, id).toBe(200);
      expect(res.headers.get('content-length'), id).toBe(String(id === 'doc-prd' ? Buffer.byteLength(PRD) : BIG.length));
      expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
      expect(await res.text()).toBe('');
    }
  });

  it('cuts a streamed response short when the file is rewritten in place while it is sent', async () => {
    const size = 18 * 1024 * 1024;
    const file = write('docs/rewritten.txt', Buffer.alloc(size, 'a'));
    await ingestIds(t, [documentRegistered('doc-rewritten', { title: 'Rewritten', mimeType: 'text/plain', ...file })]);
    const res = await get('/api/v1/documents/doc-rewritten/content');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe(String(size));
    const reader = res.body!.getReader();
    await reader.read();
    // The client is not reading, so the server is held back by the socket long before the end of the file.
    const fd = fs.openSync(path.join(root, 'docs', 'rewritten.txt'), 'r+');
    fs.writeSync(fd, Buffer.alloc(1024, 'b'), 0, 1024, size - 1024);
    fs.closeSync(fd);
    let received = 0;
    const drained = (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        received += value.length;
      }
    })();
    await expect(drained).rejects.toThrow();
    expect(received).toBeLessThan(size);
  });

  it('serves the current file and reports a checksum mismatch', async () => {
    const res = await get('/api/v1/documents/doc-changed/content');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('# changed on disk\n');
    expect(res.headers.get('x-checksum-mismatch')).toBe(`registered=${sha('# what was registered\n')}; actual=${sha('# changed on disk\n')}`);
    expect(res.headers.get('etag')).toBe(`"${sha('# changed on disk\n')}"`);
    const big = await get('/api/v1/documents/doc-big-changed/content');
    expect(big.status).toBe(200);
    expect(big.headers.get('x-checksum-mismatch')).toBe(`registered=${sha('not this')}; actual=${sha(BIG)}`);
    expect(Buffer.from(await big.arrayBuffer()).equals(BIG)).toBe(true);
  });

  it('sees a file edited after registration (a new ETag, no stale 304)', async () => {
    const first = await get('/api/v1/documents/doc-arch/content');
    const etag = first.headers.get('etag')!;
    await first.arrayBuffer();
    fs.appendFileSync(path.join(root, 'docs', 'architecture.md'), '\nmore\n');
    const again = await get('/api/v1/documents/doc-arch/content', { 'if-none-match': etag });
    expect(again.status).toBe(200);
    expect(again.headers.get('etag')).not.toBe(etag);
    expect(again.headers.get('x-checksum-mismatch')).toMatch(/^registered=sha256:[0-9a-f]{64}; actual=sha256:[0-9a-f]{64}$/);
    expect(await again.text()).toMatch(/more\n$/);
  });

  it('encodes an awkward file name safely in Content-Disposition', async () => {
    const res = await get('/api/v1/documents/doc-odd/content');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe(`inline; filename="na?ve \\"plan\\"; v2.md"; filename*=UTF-8''na%C3%AFve%20%22plan%22%3B%20v2.md`);
    expect(await res.text()).toBe('# odd name\n');
  });

  it('answers 404 for an unknown or removed document', async () => {
    for (const id of ['doc-nope', 'doc-removed', 'doc-removed-early']) {
      const res = await get(`/api/v1/documents/${id}/content`);
      expect(res.status, id).toBe(404);
      expect(errorBodySchema.parse(await res.json()).error.code).toBe('not_found');
    }
  });

  it('answers 404 document_content_missing when the record exists but the file is gone', async () => {
    const gone = write('docs/gone.md', '# soon gone\n');
    await ingestIds(t, [documentRegistered('doc-gone', { title: 'Gone', ...gone })]);
    expect((await get('/api/v1/documents/doc-gone/content')).status).toBe(200);
    fs.rmSync(path.join(root, 'docs', 'gone.md'));
    const res = await get('/api/v1/documents/doc-gone/content');
    expect(res.status).toBe(404);
    expect(errorBodySchema.parse(await res.json()).error.code).toBe('document_content_missing');
    expect((await get('/api/v1/documents/doc-gone')).status).toBe(200);
  });
});

describe('access', () => {
  it('answers 401 without a token and 403 for a key without read access', async () => {
    for (const p of ['/api/v1/documents', '/api/v1/documents/doc-prd', '/api/v1/documents/doc-prd/content']) {
      const anonymous = await get(p, {}, null);
      expect(anonymous.status, p).toBe(401);
      expect(await anonymous.text()).not.toContain('# PRD');
      const ingestOnly = await get(p, {}, t.keys.ingest);
      expect(ingestOnly.status, p).toBe(403);
    }
  });

  it('rejects a registration with a path out of the root at ingestion', async () => {
    const res = await t.ingest([documentRegistered('doc-up', { path: '../secret.md' }), documentRegistered('doc-ok-too', { path: 'docs/prd.md' })]);
    expect(res.status).toBe(207);
    const body = ingestResponseSchema.parse(await res.json());
    expect(body.results.map((r) => r.status)).toEqual(['rejected', 'accepted']);
  });
});
