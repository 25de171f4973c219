// The Lab API's data and the stack's (core/stack) must fit, so the Lab passes the stack's
// rows, events, knobs and error codes through (adding only its own fields). The compiler
// checks it: this file stops type-checking when they drift apart.
import { describe, expect, it } from 'vitest';
import type { KnobInfo } from '../../../core/api/contract.ts';
import type { ErrorCode } from '../../../core/api/errors.ts';
import type { LabEvent } from '../../../core/api/events.ts';
import type { TIMER_NAMES } from '../../../core/api/names.ts';
import { EVENT_KINDS, TCP_STATES } from '../../../core/api/names.ts';
import type { ConnectionRow, ListenerRow } from '../../../core/api/snapshot.ts';
import type { StackEvent } from '../../../core/stack/events.ts';
import type { KnobSpec } from '../../../core/stack/knobs.ts';
import type { ConnectionRow as StackConnectionRow, ListenerRow as StackListenerRow } from '../../../core/stack/snapshot.ts';
import type { SocketErrorCode, TimerName } from '../../../core/tcp/effects.ts';
import { TCP_STATES as STACK_STATES } from '../../../core/tcp/state.ts';

type Fits<A, B> = [A] extends [B] ? true : false;
type LabOnlyConnectionFields = 'localAddr' | 'localPort' | 'remoteAddr' | 'remotePort' | 'accepted' | 'responder';
type LabOnlyListenerFields = 'localAddr' | 'port' | 'responder' | 'paused';

export const stackFits: [
  Fits<StackEvent, LabEvent>,
  Fits<StackConnectionRow, Omit<ConnectionRow, LabOnlyConnectionFields>>,
  Fits<StackListenerRow, Omit<ListenerRow, LabOnlyListenerFields>>,
  Fits<KnobSpec, Omit<KnobInfo, 'value'>>,
  Fits<SocketErrorCode, ErrorCode>,
  Fits<TimerName, (typeof TIMER_NAMES)[number]>,
] = [true, true, true, true, true, true];

describe('the API speaks the stack\'s names', () => {
  it('has the same TCP states, in the same order', () => {
    expect([...TCP_STATES]).toEqual([...STACK_STATES]);
  });

  it('lists every event kind the stack emits', () => {
    const stackKinds: StackEvent['kind'][] = ['state', 'segment', 'timer', 'drop', 'error', 'queue', 'icmp'];
    for (const k of stackKinds) expect(EVENT_KINDS).toContain(k);
  });
});
