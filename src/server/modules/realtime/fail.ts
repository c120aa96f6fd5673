import type { Connection } from './connection.js';

/** Sends an error to the connection and, when a close code is given (not recoverable), closes it with that code. */
export type Fail = (conn: Connection, code: string, message: string, closeCode?: number) => void;
