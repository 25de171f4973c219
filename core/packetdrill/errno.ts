// Linux errno numbers and strerror texts for the errors our socket calls can return.
// Scripts write `= -1 ECONNRESET (Connection reset by peer)` and `[ECONNREFUSED]` (SO_ERROR).

export const ERRNO: Readonly<Record<string, { readonly value: number; readonly text: string }>> = {
  EPERM: { value: 1, text: 'Operation not permitted' },
  EBADF: { value: 9, text: 'Bad file descriptor' },
  EAGAIN: { value: 11, text: 'Resource temporarily unavailable' },
  EFAULT: { value: 14, text: 'Bad address' },
  EINVAL: { value: 22, text: 'Invalid argument' },
  EPIPE: { value: 32, text: 'Broken pipe' },
  ENOTSOCK: { value: 88, text: 'Socket operation on non-socket' },
  EDESTADDRREQ: { value: 89, text: 'Destination address required' },
  ENOPROTOOPT: { value: 92, text: 'Protocol not available' },
  EOPNOTSUPP: { value: 95, text: 'Operation not supported' },
  EADDRINUSE: { value: 98, text: 'Address already in use' },
  EADDRNOTAVAIL: { value: 99, text: 'Cannot assign requested address' },
  ENETUNREACH: { value: 101, text: 'Network is unreachable' },
  ECONNABORTED: { value: 103, text: 'Software caused connection abort' },
  ECONNRESET: { value: 104, text: 'Connection reset by peer' },
  EISCONN: { value: 106, text: 'Transport endpoint is already connected' },
  ENOTCONN: { value: 107, text: 'Transport endpoint is not connected' },
  ETIMEDOUT: { value: 110, text: 'Connection timed out' },
  ECONNREFUSED: { value: 111, text: 'Connection refused' },
  EHOSTUNREACH: { value: 113, text: 'No route to host' },
  EALREADY: { value: 114, text: 'Operation already in progress' },
  EINPROGRESS: { value: 115, text: 'Operation now in progress' },
};

/** EWOULDBLOCK is EAGAIN on Linux. */
export function errnoValue(name: string): number | undefined {
  if (name === 'EWOULDBLOCK') return ERRNO.EAGAIN.value;
  return ERRNO[name]?.value;
}

export function errnoName(value: number): string {
  for (const [name, e] of Object.entries(ERRNO)) if (e.value === value) return name;
  return String(value);
}

/** `ECONNRESET (Connection reset by peer)` */
export function describeErrno(name: string): string {
  const e = ERRNO[name];
  return e ? `${name} (${e.text})` : name;
}
