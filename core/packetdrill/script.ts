// The script model: what a packetdrill script says, after parsing and before running.
// Times are integer microseconds (packetdrill's unit); sequence and acknowledgment numbers are
// the script's numbers (relative to our ISN for our side, absolute for the script's side).

/** A position in the script, 1-based. */
export interface Loc {
  readonly line: number;
  readonly col: number;
}

/** When an event happens. */
export type TimeSpec =
  /** `0.100`: seconds since the script started. */
  | { readonly kind: 'absolute'; readonly usecs: number }
  /** `+0.100`: after the previous event. */
  | { readonly kind: 'relative'; readonly usecs: number }
  /** `*`: any time (outbound packets only). */
  | { readonly kind: 'any' }
  /** `0.1~0.2` (absolute) or `+0.1~+0.2` (both relative to the previous event). */
  | { readonly kind: 'range'; readonly relative: boolean; readonly startUsecs: number; readonly endUsecs: number }
  /**
   * `0.1...0.2` or `+0.1...0.2`: a blocking system call that starts at the first time and
   * returns at the second. With `+`, both times are relative to the previous event (as in
   * packetdrill, the end is offset by the previous event's time, not by the start).
   */
  | { readonly kind: 'blocking'; readonly relative: boolean; readonly startUsecs: number; readonly endUsecs: number };

/** One TCP option as the script writes it; the order is the order on the wire. */
export type OptionSpec =
  | { readonly kind: 'nop' }
  | { readonly kind: 'eol' }
  | { readonly kind: 'mss'; readonly value: number }
  | { readonly kind: 'wscale'; readonly value: number }
  | { readonly kind: 'sackOK' }
  | { readonly kind: 'sack'; readonly blocks: readonly { readonly left: number; readonly right: number }[] }
  | { readonly kind: 'ts'; readonly val: number; readonly ecr: number };

/** `S.`, `P.`, `F.`, `R`, `.`, ... as wire bits (FIN, SYN, RST, PSH, ACK_BIT, URG_BIT, ECE, CWR). */
export interface PacketSpec {
  readonly direction: 'in' | 'out';
  readonly flags: number;
  /** The flags as written (for messages). */
  readonly flagsText: string;
  readonly seqStart: number;
  readonly seqEnd: number;
  readonly length: number;
  /** null when the script gives no `ack N`. */
  readonly ack: number | null;
  /** null when the script gives no `win N` (outbound only: the window is then not checked). */
  readonly win: number | null;
  readonly urg: number | null;
  /** null: no options written (none expected / none sent); 'any': `<...>`. */
  readonly options: readonly OptionSpec[] | 'any' | null;
  /** `[ect0]`, `[noecn]`...: parsed and reported, not acted on. */
  readonly ipInfo: string | null;
  /**
   * Our extension for scripts with several remote endpoints: `< @40001 S ...` (remote port) or
   * `< @192.0.2.7:40001 S ...` (remote address and port); on `>` lines the packet must go there.
   * Absent: packetdrill's single connection.
   */
  readonly endpoint?: Endpoint | null;
}

export interface Endpoint {
  /** null: the script's remote address (--remote_ip). */
  readonly addr: number | null;
  readonly port: number;
}

/** A system call argument or result expression. */
export type Expr =
  | { readonly kind: 'ellipsis'; readonly loc: Loc }
  | { readonly kind: 'int'; readonly value: number; readonly loc: Loc }
  | { readonly kind: 'name'; readonly name: string; readonly loc: Loc }
  /** `A|B|C` */
  | { readonly kind: 'or'; readonly terms: readonly Expr[]; readonly loc: Loc }
  /** `[1]`, `[ECONNRESET]` (a pointer to a value), or `[a, b]` (a list). */
  | { readonly kind: 'list'; readonly items: readonly Expr[]; readonly loc: Loc }
  /** `{onoff=1, linger=0}` */
  | { readonly kind: 'struct'; readonly fields: readonly { readonly name: string; readonly value: Expr }[]; readonly loc: Loc }
  | { readonly kind: 'string'; readonly value: string; readonly loc: Loc };

export interface SyscallResult {
  /** The return value (`3`, `-1`, `0x2`) or an ellipsis (any). */
  readonly value: Extract<Expr, { kind: 'int' } | { kind: 'ellipsis' }>;
  /** `ECONNRESET` in `= -1 ECONNRESET (Connection reset by peer)`. */
  readonly errno: string | null;
  /** The parenthesized text after the result, kept for messages. */
  readonly note: string | null;
}

export interface SyscallSpec {
  readonly name: string;
  readonly args: readonly Expr[];
  readonly result: SyscallResult;
}

export type Action =
  | { readonly kind: 'packet'; readonly packet: PacketSpec }
  | { readonly kind: 'syscall'; readonly syscall: SyscallSpec }
  /** A backtick shell line. */
  | { readonly kind: 'command'; readonly text: string }
  /** A `%{ ... }%` Python snippet. */
  | { readonly kind: 'code'; readonly text: string };

export interface ScriptEvent {
  readonly loc: Loc;
  readonly time: TimeSpec;
  readonly action: Action;
}

/** A `--name=value` line. */
export interface ScriptFlag {
  readonly loc: Loc;
  readonly name: string;
  readonly value: string | null;
}

export interface Script {
  readonly flags: readonly ScriptFlag[];
  readonly events: readonly ScriptEvent[];
}

/** An error in a script, located at a line and column. */
export interface ScriptError {
  readonly loc: Loc;
  readonly message: string;
}

export function formatLoc(loc: Loc): string {
  return `${loc.line}:${loc.col}`;
}
