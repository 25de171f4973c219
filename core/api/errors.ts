// Results and errors of the Lab API. Every call answers a Result; nothing throws across a transport.

export type ErrorCode =
  | 'EINVAL'       // an argument failed validation (`field` names it); nothing changed
  | 'ENOMETHOD'    // no such method in the contract
  | 'ENOCONN'      // no such connection (it has gone, or never was)
  | 'ENOLISTENER'  // no such listener
  | 'ENOENT'       // no such fault rule, scenario, ...
  // the stack's own (StackError, SO_ERROR), passed through unchanged:
  | 'EADDRINUSE' | 'EADDRNOTAVAIL' | 'EPIPE' | 'ENOTCONN' | 'ECONNRESET' | 'ECONNREFUSED' | 'ECONNABORTED'
  | 'ETIMEDOUT' | 'EHOSTUNREACH' | 'ENETUNREACH' | 'EAGAIN'
  | 'EBUSY'        // already running (pcap, scenario)
  | 'EPERM'        // the transport refused the caller (sender frame, token, origin)
  | 'EROFS'        // a replay: it shows a recorded session and cannot change anything
  | 'ECLOSED'      // the connection to the lab closed before the answer came
  | 'EPROTO'       // a transport message that does not follow the protocol
  | 'EINTERNAL';   // the lab failed unexpectedly; the message says how

export interface ApiError {
  code: ErrorCode;
  message: string;
  /** The argument at fault, as a dotted path ('port', 'rule.action.ms'), when there is one. */
  field?: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiError };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail(code: ErrorCode, message: string, field?: string): { ok: false; error: ApiError } {
  return { ok: false, error: field === undefined ? { code, message } : { code, message, field } };
}

/** Thrown by a Lab handler to refuse a call; the server turns it into `{ ok: false, error }`. */
export class ApiFailure extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;
  constructor(code: ErrorCode, message: string, field?: string) {
    super(message);
    this.name = 'ApiFailure';
    this.code = code;
    this.field = field;
  }
  toError(): ApiError {
    return fail(this.code, this.message, this.field).error;
  }
}

export function noSuchConnection(conn: number): ApiFailure {
  return new ApiFailure('ENOCONN', `no such connection: ${conn}`, 'conn');
}

export function noSuchListener(listener: number): ApiFailure {
  return new ApiFailure('ENOLISTENER', `no such listener: ${listener}`, 'listener');
}

/** The value of an ok result; throws the error as an ApiFailure otherwise (handy for scripts and the CLI). */
export function unwrap<T>(result: Result<T>): T {
  if (result.ok) return result.value;
  throw new ApiFailure(result.error.code, result.error.message, result.error.field);
}

/** Turns anything a handler threw into an ApiError. */
export function errorFromThrown(err: unknown): ApiError {
  if (err instanceof ApiFailure) return err.toError();
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'EINTERNAL', message };
}
