// Every guided scenario (issue 8), in teaching order. createLab registers them (or pass your own).
import type { LabScenario } from './framework.ts';
import { close } from './close.ts';
import { delayedAck } from './delayed-ack.ts';
import { halfClose } from './half-close.ts';
import { acceptOverflow } from './accept-overflow.ts';
import { handshake } from './handshake.ts';
import { isn } from './isn.ts';
import { keepalive } from './keepalive.ts';
import { lostFinalAck } from './lost-final-ack.ts';
import { nagle } from './nagle.ts';
import { retransmission } from './retransmission.ts';
import { rst } from './rst.ts';
import { simultaneousClose } from './simultaneous-close.ts';
import { simultaneousOpen } from './simultaneous-open.ts';
import { synFlood } from './syn-flood.ts';
import { wraparound } from './wraparound.ts';

export const ALL_SCENARIOS: readonly LabScenario[] = [
  handshake,
  close,
  halfClose,
  simultaneousClose,
  simultaneousOpen,
  lostFinalAck,
  acceptOverflow,
  synFlood,
  rst,
  keepalive,
  retransmission,
  isn,
  wraparound,
  delayedAck,
  nagle,
];

export { defineScenario, scenarioReport, type LabScenario } from './framework.ts';
