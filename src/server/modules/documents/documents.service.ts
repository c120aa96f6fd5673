import path from 'node:path';
import type { Request, Response } from 'express';
import type { z } from 'zod';
import { RENDERABLE_MIME_TYPES, type documentContentFallbackSchema, type DocumentMeta, type DocumentsQuery, type Page } from '../../../contracts/index.js';
import type { DatabaseHandle } from '../../db/handle.js';
import { HttpError, notFound } from '../../http/errors.js';
import type { Logger } from '../../observability/logger.js';
import type { DocumentRefusal, DocumentRefusalKind, DocumentRoots } from './document-roots.js';
import { sendDocumentContent } from './document-content.js';
import { documentsRepository } from './documents.repository.js';

export type DocumentContentFallback = z.output<typeof documentContentFallbackSchema>;

export interface DocumentsServiceOptions {
  /** Larger files are not served inline: the content route answers with a fallback naming the size. */
  maxInlineBytes: number;
  /** Files up to this size are read into memory once; larger ones are streamed. */
  bufferBelowBytes?: number;
}

/** Status and error code per refusal: a way out of the root is 403, a file that is gone is 404. Never the file. */
const REFUSALS: Record<DocumentRefusalKind, [number, string]> = {
  unknown_root: [403, 'document_root_unknown'],
  outside_root: [403, 'document_path_outside_root'],
  symlink_escape: [403, 'document_symlink_escape'],
  not_a_file: [403, 'document_not_a_file'],
  unreadable: [403, 'document_unreadable'],
  hidden: [403, 'document_hidden_path'],
  hard_link: [403, 'document_hard_link'],
  not_registered_by_owner: [403, 'document_not_registered_by_root_owner'],
  missing: [404, 'document_content_missing'],
};

const isRenderable = (mimeType: string) => (RENDERABLE_MIME_TYPES as readonly string[]).includes(mimeType);

export class DocumentsService {
  private readonly bufferBelowBytes: number;

  constructor(
    private readonly db: DatabaseHandle,
    private readonly roots: DocumentRoots,
    private readonly logger: Logger,
    private readonly opts: DocumentsServiceOptions,
  ) {
    this.bufferBelowBytes = opts.bufferBelowBytes ?? 1024 * 1024;
  }

  async list(q: DocumentsQuery): Promise<Page<DocumentMeta>> {
    const { page, pageSize, ...filter } = q;
    const { items, total } = await documentsRepository.list(this.db.read, filter, page, pageSize);
    return { items, page, pageSize, total };
  }

  async get(id: string): Promise<DocumentMeta> {
    const row = await documentsRepository.findLiveRow(this.db.read, id);
    if (!row) throw notFound('document', id);
    const versions = await documentsRepository.versions(this.db.read, id, 100);
    return { ...documentsRepository.toDocument(row), versions };
  }

  /**
   * GET /documents/:id/content. Returns the fallback body for anything not rendered inline, or undefined once it has
   * written the file itself. Throws 404 (unknown, removed, file gone) or 403 (a location outside its root).
   */
  async content(id: string, req: Request, res: Response): Promise<DocumentContentFallback | undefined> {
    const log = (req as { log?: Logger }).log ?? this.logger;
    const row = await documentsRepository.findLiveRow(this.db.read, id);
    if (!row) throw notFound('document', id);
    res.setHeader('Cache-Control', 'no-cache');
    if (!isRenderable(row.mime_type)) {
      return {
        renderable: false,
        reason: `${row.mime_type} is not a type the viewer renders inline (${RENDERABLE_MIME_TYPES.join(', ')})`,
        mimeType: row.mime_type,
        sizeBytes: row.size_bytes,
      };
    }
    if (row.root === null || row.path === null) {
      throw new HttpError(404, 'document_content_missing', `document ${JSON.stringify(id)} has no registered storage location`);
    }
    // A connected project's folder serves only the documents its connector found there: a key that registers `.env`
    // or any other file of that folder as a document gets a refusal, not the file.
    const owner = this.roots.ownerOf(row.root);
    const registeredBy = row.version_key?.split('\n')[0] ?? null;
    if (owner && registeredBy !== owner) {
      throw this.refusal(
        id,
        row.root,
        row.path,
        { ok: false, kind: 'not_registered_by_owner', message: `the folder of ${row.root} serves only what its connector registered` },
        log,
      );
    }
    const opened = await this.roots.open(row.root, row.path);
    if (!opened.ok) throw this.refusal(id, row.root, row.path, opened, log);
    if (opened.size > this.opts.maxInlineBytes) {
      await opened.handle.close();
      return {
        renderable: false,
        reason: `the file is ${opened.size} bytes, over the ${this.opts.maxInlineBytes}-byte limit for inline viewing`,
        mimeType: row.mime_type,
        sizeBytes: opened.size,
      };
    }
    await sendDocumentContent(
      req,
      res,
      { documentId: id, handle: opened.handle, mimeType: row.mime_type, fileName: path.posix.basename(row.path), registeredChecksum: row.checksum },
      log,
      this.bufferBelowBytes,
    );
    return undefined;
  }

  private refusal(id: string, root: string, relPath: string, r: DocumentRefusal, log: Logger): HttpError {
    const [status, code] = REFUSALS[r.kind];
    if (status === 403) log.warn({ documentId: id, root, path: relPath, refusal: r.kind }, 'document content refused');
    return new HttpError(status, code, `document ${JSON.stringify(id)}: ${r.message}`);
  }
}
