// Errors the Lab reports: the stack's (StackError codes pass through the API unchanged, as the
// contract lists them) and the one a lab meets before it starts: no TUN to run on.
import { ApiFailure, type ErrorCode } from '../api/errors.ts';
import { StackError } from '../stack/socket.ts';

const PASSED_THROUGH: ReadonlySet<string> = new Set<ErrorCode>([
  'EINVAL', 'EADDRINUSE', 'EADDRNOTAVAIL', 'EPIPE', 'ENOTCONN', 'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED',
  'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAGAIN',
]);

/** A StackError as the API's refusal (its code kept, the argument at fault named). */
export function apiFailureFromStack(err: unknown, field: string, message?: (code: string) => string | null): ApiFailure {
  if (err instanceof ApiFailure) return err;
  if (err instanceof StackError && PASSED_THROUGH.has(err.code)) {
    const text = message?.(err.code) ?? (err.message !== err.code ? err.message : describe(err.code));
    return new ApiFailure(err.code as ErrorCode, text, field);
  }
  return new ApiFailure('EINTERNAL', err instanceof Error ? err.message : String(err));
}

function describe(code: string): string {
  switch (code) {
    case 'EPIPE': return 'the connection is shut down for sending';
    case 'ENOTCONN': return 'the connection is not connected';
    case 'ECONNRESET': return 'the connection was reset';
    case 'ECONNREFUSED': return 'the connection was refused';
    case 'ETIMEDOUT': return 'the connection timed out';
    case 'ECONNABORTED': return 'the connection was aborted';
    default: return code;
  }
}

/**
 * The lab cannot start on a TUN: it is missing, unconfigured or not ours. `command` is the one
 * command that fixes it (null when no command does, e.g. another process has the device).
 */
export class LabSetupError extends Error {
  readonly command: string | null;
  constructor(message: string, command: string | null, options?: { cause?: unknown }) {
    super(command === null ? message : `${message}\nRun once: ${command}`, options);
    this.name = 'LabSetupError';
    this.command = command;
  }
}
