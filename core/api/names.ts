// The enumerations the Lab API speaks in. State names are the RFC's, unchanged (DESIGN.md 4.5).

export const TCP_STATES = [
  'CLOSED', 'LISTEN', 'SYN-SENT', 'SYN-RECEIVED', 'ESTABLISHED', 'FIN-WAIT-1',
  'FIN-WAIT-2', 'CLOSE-WAIT', 'CLOSING', 'LAST-ACK', 'TIME-WAIT',
] as const;
export type TcpState = (typeof TCP_STATES)[number];

/** What the lab does with a connection's data: echo it, drop it, answer HTTP, stream chars, or nothing (the user drives it). */
export const RESPONDERS = ['echo', 'discard', 'http', 'chargen', 'manual'] as const;
export type Responder = (typeof RESPONDERS)[number];

export const TIMER_NAMES = ['retransmit', 'delack', 'persist', 'keepalive', 'time-wait', 'fin-wait-2', 'syn-ack'] as const;
export type TimerName = (typeof TIMER_NAMES)[number];

/** Kinds of LabEvent (core/api/events.ts); the event stream filters on these. */
export const EVENT_KINDS = ['state', 'segment', 'timer', 'drop', 'error', 'queue', 'icmp', 'fault', 'lab'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];
