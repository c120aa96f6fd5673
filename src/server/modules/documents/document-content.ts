import { createHash } from 'node:crypto';
import type fsp from 'node:fs/promises';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { create as createContentDisposition } from 'content-disposition';
import type { Request, Response } from 'express';
import type { Logger } from '../../observability/logger.js';

/** What every content response (200 and 304) carries: no sniffing, no scripts, no plugins, no stale reuse. */
export const CONTENT_SECURITY_POLICY = "default-src 'none'; sandbox";

const CHUNK = 64 * 1024;

export interface ContentToSend {
  documentId: string;
  handle: fsp.FileHandle;
  /** The registered MIME type (one of RENDERABLE_MIME_TYPES). */
  mimeType: string;
  /** The file name for Content-Disposition (the last segment of the storage path). */
  fileName: string;
  /** The checksum the document was registered with, if any (`sha256:<hex>`). */
  registeredChecksum: string | null;
}

/** text/* gets an explicit charset; every other type is sent exactly as registered (JSON and YAML define no charset). */
export function contentTypeFor(mimeType: string): string {
  return mimeType.startsWith('text/') ? `${mimeType}; charset=utf-8` : mimeType;
}

/** `inline`, quoted safely, with an ASCII fallback and the exact name in RFC 8187 form when it is not plain ASCII. */
export function contentDisposition(fileName: string): string {
  return createContentDisposition(fileName, { type: 'inline' });
}

/** If-None-Match against a strong ETag (weak comparison, as RFC 9110 asks for If-None-Match). */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

/**
 * Reads the file from position 0 up to `limit` bytes (its size when opened, so a file being appended to cannot grow
 * the response) through a fixed buffer, handing each chunk (a view, valid until the next) on.
 */
async function readChunks(handle: fsp.FileHandle, limit: number, onChunk: (chunk: Buffer) => void): Promise<number> {
  const buf = Buffer.allocUnsafe(CHUNK);
  let position = 0;
  while (position < limit) {
    const { bytesRead } = await handle.read(buf, 0, Math.min(CHUNK, limit - position), position);
    if (bytesRead === 0) return position;
    onChunk(buf.subarray(0, bytesRead));
    position += bytesRead;
  }
  return position;
}

/**
 * Passes bytes through while hashing them, holding the last chunk back until the end: if the digest is not the one
 * the headers announced (the file was rewritten in place while it was sent), the stream fails before the response
 * completes, so the client sees a truncated response instead of bytes that contradict the ETag.
 */
class VerifyingHash extends Transform {
  private readonly hash = createHash('sha256');
  private pending: Buffer | undefined;

  constructor(private readonly expected: string) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    if (this.pending) this.push(this.pending);
    this.pending = chunk;
    cb();
  }

  override _flush(cb: TransformCallback): void {
    const actual = `sha256:${this.hash.digest('hex')}`;
    if (actual !== this.expected) return cb(new Error(`the file changed while it was being sent (${this.expected} then ${actual})`));
    if (this.pending) this.push(this.pending);
    cb();
  }
}

function setCommonHeaders(res: Response, etag: string, mismatch: string | undefined): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  // Replaces the app-wide helmet policy for this response.
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.setHeader('Cache-Control', 'no-cache');
  res.setHeader('ETag', etag);
  if (mismatch) res.setHeader('X-Checksum-Mismatch', mismatch);
}

/**
 * Sends a renderable document's bytes: hashed while read; files up to `bufferBelowBytes` are read once into memory,
 * larger ones are hashed in a first pass and streamed in a second (never held in memory), both from the same open
 * handle so a file replaced by rename meanwhile is not mixed in. The handle is always closed.
 * Headers are written with setHeader so the MIME type is exactly the one given (Express would add charsets).
 */
export async function sendDocumentContent(req: Request, res: Response, c: ContentToSend, logger: Logger, bufferBelowBytes: number): Promise<void> {
  let handleOpen = true;
  const close = async () => {
    if (!handleOpen) return;
    handleOpen = false;
    await c.handle.close().catch(() => undefined);
  };
  try {
    const { size } = await c.handle.stat();
    const hash = createHash('sha256');
    let body: Buffer | undefined;
    let length: number;
    if (size <= bufferBelowBytes) {
      const parts: Buffer[] = [];
      length = await readChunks(c.handle, size, (chunk) => {
        hash.update(chunk);
        parts.push(Buffer.from(chunk));
      });
      body = Buffer.concat(parts, length);
      await close();
    } else {
      length = await readChunks(c.handle, size, (chunk) => hash.update(chunk));
    }
    const actual = `sha256:${hash.digest('hex')}`;
    const etag = `"${actual}"`;
    let mismatch: string | undefined;
    if (c.registeredChecksum && c.registeredChecksum !== actual) {
      mismatch = `registered=${c.registeredChecksum}; actual=${actual}`;
      logger.warn({ documentId: c.documentId, registered: c.registeredChecksum, actual }, 'document checksum mismatch: serving the current file');
    }

    setCommonHeaders(res, etag, mismatch);
    if (ifNoneMatchHits(req.get('if-none-match'), etag)) {
      await close();
      res.statusCode = 304;
      res.end();
      return;
    }
    res.statusCode = 200;
    res.setHeader('Content-Type', contentTypeFor(c.mimeType));
    res.setHeader('Content-Disposition', contentDisposition(c.fileName));
    res.setHeader('Content-Length', String(length));
    if (body) {
      res.end(body);
      return;
    }
    if (req.method === 'HEAD' || length === 0) {
      await close();
      res.end();
      return;
    }
    const stream = c.handle.createReadStream({ start: 0, end: length - 1, autoClose: false, highWaterMark: CHUNK });
    try {
      await pipeline(stream, new VerifyingHash(actual), res);
    } catch (err) {
      // The response is already under way: it can only be cut short (a client gone, or the file changed mid-send).
      if (!res.destroyed) res.destroy();
      const message = err instanceof Error ? err.message : String(err);
      if (message.startsWith('the file changed'))
        logger.warn({ documentId: c.documentId, err: message }, 'document content changed while being sent; response aborted');
      else logger.debug({ documentId: c.documentId, err: message }, 'document content response ended early');
    }
  } finally {
    await close();
  }
}
