// The result of parsing bytes from the wire: a validated value or an error value.
// Parsers never throw on bad bytes (DESIGN.md 4.1); the stack counts and drops errors.

export type WireError =
  | 'ip-truncated'
  | 'ip-bad-version'
  | 'ip-bad-header-length'
  | 'ip-bad-total-length'
  | 'ip-bad-checksum'
  | 'ip-fragment'
  | 'tcp-truncated'
  | 'tcp-bad-data-offset'
  | 'tcp-bad-checksum'
  | 'tcp-bad-option'
  | 'icmp-truncated'
  | 'icmp-bad-checksum'
  /** A destination unreachable quoting something that is not an IPv4 header. */
  | 'icmp-bad-quote';

export type WireResult<T> = { ok: true; value: T } | { ok: false; error: WireError };

export type WireFailure = { readonly ok: false; readonly error: WireError };

export const WIRE_ERRORS: readonly WireError[] = Object.freeze([
  'ip-truncated', 'ip-bad-version', 'ip-bad-header-length', 'ip-bad-total-length', 'ip-bad-checksum',
  'ip-fragment', 'tcp-truncated', 'tcp-bad-data-offset', 'tcp-bad-checksum', 'tcp-bad-option',
  'icmp-truncated', 'icmp-bad-checksum', 'icmp-bad-quote',
] as const);

// One frozen failure object per error, so rejecting a packet allocates nothing.
const FAILURES = new Map<WireError, WireFailure>(
  WIRE_ERRORS.map((e) => [e, Object.freeze({ ok: false as const, error: e })]),
);

export function ok<T>(value: T): WireResult<T> {
  return { ok: true, value };
}

/** The (shared, frozen) failure for an error. */
export function fail(error: WireError): WireFailure {
  return FAILURES.get(error) as WireFailure;
}
