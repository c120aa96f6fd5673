import type { z } from 'zod';
import { API, API_BASE, documentContentFallbackSchema, errorBodySchema, fillPath, RENDERABLE_MIME_TYPES, type DocumentMeta } from '../../../contracts/index.js';
import { ApiError } from '../../api/http.js';

export type ContentFallback = z.infer<typeof documentContentFallbackSchema>;

export type ViewerKind = 'markdown' | 'pdf' | 'json' | 'yaml' | 'text';

interface Served {
  /** The registered version (checksum) the page had when it fetched: a newer registration raises "changed". */
  version: string;
  /** Set when the server said the file on disk no longer matches the registered checksum (X-Checksum-Mismatch). */
  mismatch: string | null;
}

export type DocumentContent =
  | ({ kind: Exclude<ViewerKind, 'pdf'>; text: string } & Served)
  | ({ kind: 'pdf'; bytes: ArrayBuffer } & Served)
  | ({ kind: 'fallback'; fallback: ContentFallback } & Served);

const VIEWER_OF: Record<(typeof RENDERABLE_MIME_TYPES)[number], ViewerKind> = {
  'text/markdown': 'markdown',
  'application/pdf': 'pdf',
  'application/json': 'json',
  'application/yaml': 'yaml',
  'text/plain': 'text',
};

export const VIEWER_LABEL: Record<ViewerKind, string> = { markdown: 'Markdown', pdf: 'PDF', json: 'JSON', yaml: 'YAML', text: 'Text' };

export const baseMime = (contentType: string | null | undefined) => (contentType ?? '').split(';')[0]!.trim().toLowerCase();

export function viewerFor(mimeType: string): ViewerKind | null {
  const m = baseMime(mimeType);
  return (RENDERABLE_MIME_TYPES as readonly string[]).includes(m) ? VIEWER_OF[m as keyof typeof VIEWER_OF] : null;
}

/** What identifies the content someone is reading: its checksum, or without one, when it was last registered. */
export const versionOf = (d: Pick<DocumentMeta, 'checksum' | 'updatedAt' | 'createdAt'>) => d.checksum ?? d.updatedAt ?? d.createdAt;

const FALLBACK_KEYS = ['mimeType', 'reason', 'renderable', 'sizeBytes'];
const looksLikeFallback = (v: unknown) =>
  typeof v === 'object' &&
  v !== null &&
  !Array.isArray(v) &&
  Object.keys(v).sort().join() === FALLBACK_KEYS.join() &&
  documentContentFallbackSchema.safeParse(v).success;

/**
 * Reads GET /documents/:id/content. Content is shown only when the server sends exactly the registered, renderable
 * MIME type; anything else — the server's fallback payload, or a type that does not match — is shown as a fallback
 * with its reason, never sniffed or guessed at.
 */
export async function fetchDocumentContent(meta: DocumentMeta, signal?: AbortSignal): Promise<DocumentContent> {
  const version = versionOf(meta);
  const registered = baseMime(meta.mimeType);
  let res: Response;
  try {
    res = await fetch(`${API_BASE}${fillPath(API.work.documentContent.path, { id: meta.id })}`, {
      credentials: 'same-origin',
      headers: { accept: `${registered}, application/json;q=0.5` },
      ...(signal ? { signal } : {}),
    });
  } catch {
    throw new ApiError(0, 'network_error', 'the server could not be reached');
  }
  if (!res.ok) {
    const body: unknown = await res.json().catch(() => undefined);
    const parsed = errorBodySchema.safeParse(body);
    if (parsed.success) throw new ApiError(res.status, parsed.data.error.code, parsed.data.error.message);
    throw new ApiError(res.status, 'http_error', `the server answered ${res.status}`);
  }
  const sent = baseMime(res.headers.get('content-type'));
  const viewer = viewerFor(registered);
  const served: Served = { version, mismatch: res.headers.get('x-checksum-mismatch') };
  // File content always comes with a strong ETag of its hash; the fallback payload is an ordinary JSON answer.
  const isFileContent = /^"sha256:[0-9a-f]{64}"$/.test(res.headers.get('etag') ?? '');

  if (viewer && sent === registered) {
    if (viewer === 'pdf') return { kind: 'pdf', bytes: await res.arrayBuffer(), ...served };
    const text = await res.text();
    if (viewer === 'json' && !isFileContent) {
      // The fallback payload is JSON too: a reply of exactly that shape, without a content hash, says "not shown".
      try {
        const value: unknown = JSON.parse(text);
        if (looksLikeFallback(value)) return { kind: 'fallback', fallback: documentContentFallbackSchema.parse(value), ...served };
      } catch {
        /* invalid JSON is still the document: the tree viewer says so */
      }
    }
    return { kind: viewer, text, ...served };
  }
  if (sent === 'application/json') {
    const value: unknown = await res.json().catch(() => undefined);
    const parsed = documentContentFallbackSchema.safeParse(value);
    if (parsed.success) return { kind: 'fallback', fallback: parsed.data, ...served };
  } else {
    await res.body?.cancel().catch(() => undefined);
  }
  return {
    kind: 'fallback',
    fallback: {
      renderable: false,
      reason: `the server sent ${sent || 'no content type'} for a document registered as ${registered}, so it is not shown`,
      mimeType: sent || registered,
      sizeBytes: meta.sizeBytes ?? null,
    },
    ...served,
  };
}

export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return 'unknown size';
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

/** Kinds the BMAD connector registers; the filter also offers any other kind it sees in the list. */
export const KNOWN_KINDS = [
  'prd',
  'product-brief',
  'architecture',
  'ux-design',
  'epics',
  'epic',
  'story',
  'qa-gate',
  'tech-spec',
  'research',
  'sprint-status',
  'other',
];

export const kindLabel = (k: string) =>
  k
    .replace(/[-_]+/g, ' ')
    .replace(/^./, (c) => c.toUpperCase())
    .replace(/^Prd$/, 'PRD')
    .replace(/^Qa /, 'QA ')
    .replace(/^Ux /, 'UX ');
