import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import { splitFrontMatter } from '../../src/contracts/front-matter.js';
import { buildBoard, type DocumentMeta, type Story } from '../../src/contracts/index.js';
import { keys } from '../../src/web/api/query-keys.js';
import { shareBoard } from '../../src/web/api/share-board.js';
import { neutralizeSource } from '../../src/web/components/markdown/mermaid.js';
import { filterRawHtml } from '../../src/web/components/markdown/raw-html.js';
import { slugify } from '../../src/web/components/markdown/render-markdown.js';
import { applyDocumentEvents } from '../../src/web/live/reducers/documents.reducer.js';
import { formatBytes, versionOf, viewerFor } from '../../src/web/pages/documents/content.js';
import { liveEvent, recordingContext } from '../support/live-events.js';

// The browser-side pieces of the documents module that need no browser: the live reducer and the string passes.

const HEX_A = `sha256:${'a'.repeat(64)}`;
const HEX_B = `sha256:${'b'.repeat(64)}`;
const meta: DocumentMeta = {
  id: 'd-1',
  projectId: 'p-1',
  storyId: null,
  title: 'PRD',
  mimeType: 'text/markdown',
  checksum: HEX_A,
  createdAt: '2026-11-29T10:00:00.000Z',
  updatedAt: '2026-11-29T10:00:00.000Z',
  root: 'r',
  path: 'prd.md',
  sizeBytes: 10,
  kind: 'prd',
  renderable: true,
  rowVersion: { at: '2026-11-29T10:00:00.000Z', key: 'fixture\nd-1' },
};
const registered = (at: string, checksum: string, extra: object = {}) =>
  ev('document.registered', 'd-1', at, {
    projectId: 'p-1',
    title: 'PRD v2',
    mimeType: 'text/markdown',
    root: 'r',
    path: 'prd.md',
    checksum,
    sizeBytes: 20,
    kind: 'prd',
    ...extra,
  });

const ev = (type: Parameters<typeof liveEvent>[0], id: string, at: string, payload: unknown) => liveEvent(type, id, at, payload, 'document');
const context = () => recordingContext(() => Date.now());

describe('documents live reducer', () => {
  it('patches an open document with a newer registration (its checksum raises "changed"), and re-reads lists, the detail and the project', () => {
    const qc = new QueryClient();
    qc.setQueryData(keys.document('d-1'), meta);
    const { ctx, invalidated, flashed } = context();
    applyDocumentEvents(qc, [registered('2026-11-29T11:00:00.000Z', HEX_B)], ctx);
    const after = qc.getQueryData<DocumentMeta>(keys.document('d-1'))!;
    expect(after.checksum).toBe(HEX_B);
    expect(after.title).toBe('PRD v2');
    expect(after.updatedAt).toBe('2026-11-29T11:00:00.000Z');
    expect(versionOf(after)).not.toBe(versionOf(meta));
    expect(invalidated).toEqual(expect.arrayContaining([keys.documents, keys.document('d-1'), keys.projectContext('p-1')]));
    expect(flashed).toEqual(['d-1']);
  });

  it('ignores an older registration (newest occurredAt wins), and never touches the content query', () => {
    const qc = new QueryClient();
    qc.setQueryData(keys.document('d-1'), meta);
    qc.setQueryData(keys.documentContent('d-1'), { kind: 'markdown', text: 'old', version: HEX_A, mismatch: null });
    const { ctx, invalidated } = context();
    applyDocumentEvents(qc, [registered('2026-11-29T09:00:00.000Z', HEX_B)], ctx);
    expect(qc.getQueryData<DocumentMeta>(keys.document('d-1'))!.checksum).toBe(HEX_A);
    expect(invalidated).not.toContainEqual(keys.documentContent('d-1'));
    expect(qc.getQueryData(keys.documentContent('d-1'))).toMatchObject({ text: 'old' });
  });

  it('a removal re-reads the document (the page then says it was removed) and every project page when the project is unknown', () => {
    const qc = new QueryClient();
    const { ctx, invalidated } = context();
    applyDocumentEvents(qc, [ev('document.removed', 'd-9', '2026-11-29T11:00:00.000Z', { reason: 'deleted' })], ctx);
    expect(invalidated).toEqual(expect.arrayContaining([keys.documents, keys.document('d-9'), ['project-context']]));
  });

  it("a consistency report re-reads that project's board, integrity panel and page", () => {
    const qc = new QueryClient();
    const { ctx, invalidated } = context();
    applyDocumentEvents(qc, [ev('consistency.reported', 'p-1', '2026-11-29T11:00:00.000Z', { findings: [] })], ctx);
    expect(invalidated).toEqual([keys.board('p-1'), keys.integrity('p-1'), keys.projectContext('p-1')]);
  });

  it('a re-read board with new findings on an otherwise unchanged story gives that card a new object (so it re-renders)', () => {
    const story: Story = {
      id: 's-1',
      projectId: 'p-1',
      title: 'S',
      ownerId: null,
      status: 'in_progress',
      kanbanColumn: null,
      epic: null,
      statusSince: null,
      updatedAt: '2026-11-29T10:00:00.000Z',
      details: null,
      findings: [],
      attrsVersion: null,
      statusVersion: null,
    };
    const before = buildBoard('p-1', [story]);
    const finding = {
      kind: 'status_drift' as const,
      storyId: 's-1',
      file: 'a.md',
      line: 1,
      message: 'drift',
      expected: 'review',
      actual: 'in-progress',
      entity: null,
      field: null,
    };
    const after = shareBoard(before, buildBoard('p-1', [{ ...story, findings: [finding] }])) as typeof before;
    const card = after.columns.flatMap((c) => c.cards)[0]!;
    expect(card.findings).toEqual([finding]);
    const same = shareBoard(before, buildBoard('p-1', [{ ...story }])) as typeof before;
    expect(same.columns.flatMap((c) => c.cards)[0]).toBe(before.columns.flatMap((c) => c.cards)[0]);
  });
});

describe('raw HTML allowlist (before any parser sees it)', () => {
  it('keeps allowed tags and attributes, drops handlers, styles, ids and unknown tags', () => {
    expect(filterRawHtml('<details open ontoggle="alert(1)"><summary>t</summary>x</details>')).toBe('<details open><summary>t</summary>x</details>');
    expect(filterRawHtml('<img src=x onerror=alert(1) alt="a">')).toBe('<img src="x" alt="a">');
    expect(filterRawHtml('<div style="position:fixed" class="fixed" id="root">hi</div>')).toBe('<div>hi</div>');
    expect(filterRawHtml('<a href="javascript:alert(1)" ping="http://x">l</a>')).toBe('<a href="javascript:alert(1)">l</a>'); // the URL is DOMPurify's to judge
    expect(filterRawHtml('<base href="http://evil.invalid/"><meta http-equiv="refresh"><link rel="stylesheet" href="x">ok')).toBe('ok');
    expect(filterRawHtml('<font color=red>text</font>')).toBe('text');
  });

  it('drops script, style, iframe, svg and math with their content; comments and doctypes too', () => {
    expect(filterRawHtml("<script>alert('x')</script>after")).toBe('after');
    expect(filterRawHtml('<style>@import "http://evil.invalid/x.css";</style>after')).toBe('after');
    expect(filterRawHtml('<svg onload=alert(1)><circle/></svg>after')).toBe('after');
    expect(filterRawHtml('<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>z')).toBe('z');
    expect(filterRawHtml('<!-- <img src=x onerror=alert(1)> -->a<!DOCTYPE html>b')).toBe('ab');
  });

  it('turns anything it does not recognise as a tag into text', () => {
    expect(filterRawHtml('<svg/onload=alert(1)>')).toBe('&lt;svg/onload=alert(1)&gt;');
    expect(filterRawHtml('a < b and <3')).toBe('a &lt; b and &lt;3');
    expect(filterRawHtml('<img src="x" title="a&quot;b" alt=\'it"s\'>')).toBe('<img src="x" title="a&quot;b" alt="it&quot;s">');
  });
});

describe('markdown and mermaid helpers', () => {
  it('splits BMAD front matter off and slugs headings into the doc-h- id space', () => {
    expect(splitFrontMatter('---\nstepsCompleted: [1]\n---\n# Title\n')).toEqual({ frontMatter: 'stepsCompleted: [1]', body: '# Title\n' });
    expect(splitFrontMatter('# No front matter\n---\n')).toEqual({ frontMatter: null, body: '# No front matter\n---\n' });
    expect(slugify('Checkout revamp — PRD')).toBe('checkout-revamp-prd');
    expect(slugify('Über Café')).toBe('uber-cafe');
    expect(slugify('<script>')).toBe('script');
    expect(slugify('日本語')).toBe('section');
  });

  it('mermaid sources lose event handlers and <base>, and keep <br> and <<stereotypes>>', () => {
    expect(neutralizeSource('A["<img src=x onerror=alert(1)>"] --> B["<b onmouseover=alert(2)>b</b>"]')).toBe('A["<img src=x>"] --> B["<b>b</b>"]');
    expect(neutralizeSource('A[x<br>y] --> B[<base href=http://evil.invalid/>z]')).toBe('A[x<br>y] --> B[z]');
    expect(neutralizeSource('class A {\n  <<interface>>\n}\nA <|-- B')).toBe('class A {\n  <<interface>>\n}\nA <|-- B');
    expect(neutralizeSource('X["<img/onerror=alert(1)>"]')).toBe('X["<img>"]');
  });

  it('renders only the allowlisted types, and sizes read as people say them', () => {
    expect(viewerFor('text/markdown')).toBe('markdown');
    expect(viewerFor('text/markdown; charset=utf-8')).toBe('markdown');
    expect(viewerFor('application/yaml')).toBe('yaml');
    expect(viewerFor('text/html')).toBeNull();
    expect(viewerFor('image/svg+xml')).toBeNull();
    expect(formatBytes(null)).toBe('unknown size');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(5 * 1024 * 1024)).toBe('5.0 MB');
  });
});
