// Time control calls (timeControl, timeStep: the lab side's clock, or a replay's playback).
// A lab from before they existed answers ENOMETHOD, which the status line says plainly.
import type { LabClient } from '../../core/api/client.ts';
import type { Result } from '../../core/api/errors.ts';
import type { TimeStatus } from '../../core/api/snapshot.ts';

export interface TimeControlArgs {
  paused?: boolean;
  scale?: number;
  slowMotionMs?: number | null;
}

export function timeControl(client: LabClient, args: TimeControlArgs): Promise<Result<TimeStatus>> {
  return client.call('timeControl', args);
}

export function timeStep(client: LabClient, count = 1): Promise<Result<TimeStatus & { stepped: number }>> {
  return client.call('timeStep', { count });
}
