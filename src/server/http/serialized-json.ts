import { createHash } from 'node:crypto';

/**
 * A JSON answer serialized once and sent as is, maybe many times: its bytes and their weak validator (Express's own
 * ETag format, so a client's If-None-Match is answered 304 as before). Worth it for a large answer that is read far
 * more often than it changes: one megabyte of JSON costs a stringify, a copy and a hash on every request otherwise.
 */
export class SerializedJson {
  readonly etag: string;

  constructor(readonly body: Buffer) {
    this.etag = `W/"${body.length.toString(16)}-${createHash('sha1').update(body).digest('base64').slice(0, 27)}"`;
  }

  static of(value: unknown): SerializedJson {
    return new SerializedJson(Buffer.from(JSON.stringify(value), 'utf8'));
  }
}
