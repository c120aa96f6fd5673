/** What kind of storage trouble an error is: a full disk (or database size cap), an I/O error, or neither. */
export type StorageFailureKind = 'full' | 'io';

/**
 * Recognises a storage failure from SQLite (SQLITE_FULL, SQLITE_IOERR_*), Postgres (53100 disk_full, 58030 io_error)
 * or the OS (ENOSPC, EDQUOT, EIO). Anything else is not ours to retry.
 */
export function storageFailureOf(err: unknown): StorageFailureKind | null {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return null;
  if (code === 'SQLITE_FULL' || code === '53100' || code === 'ENOSPC' || code === 'EDQUOT') return 'full';
  if (code.startsWith('SQLITE_IOERR') || code === '58030' || code === 'EIO') return 'io';
  return null;
}

export class StorageUnavailableError extends Error {
  constructor(
    readonly kind: StorageFailureKind,
    readonly retryAfterSec: number,
    cause: unknown,
  ) {
    super(
      kind === 'full'
        ? "the server's disk is full: nothing from this request was stored; retry when space is freed"
        : "the server's storage failed (I/O error): nothing from this request was stored; retry later",
      { cause },
    );
    this.name = 'StorageUnavailableError';
  }
}
