// Calls the TUI makes to methods that core/api's contract does not list yet: time control
// (timeControl, timeStep), proposed in /work/team/requests.md by the scenarios engineer with
// the types of core/api/views/lab-extras.ts. A lab without them answers ENOMETHOD, which the
// status line reports plainly; once the contract has them these are ordinary typed calls.
import type { LabClient } from '../../core/api/client.ts';
import type { Result } from '../../core/api/errors.ts';
import type { TimeStatus } from '../../core/api/views/lab-extras.ts';

type Loose = (method: string, args?: unknown) => Promise<Result<unknown>>;

export interface TimeControlArgs {
  paused?: boolean;
  scale?: number;
  slowMotionMs?: number | null;
}

export function timeControl(client: LabClient, args: TimeControlArgs): Promise<Result<TimeStatus>> {
  return (client.call as unknown as Loose)('timeControl', args) as Promise<Result<TimeStatus>>;
}

export function timeStep(client: LabClient, count = 1): Promise<Result<TimeStatus & { stepped: number }>> {
  return (client.call as unknown as Loose)('timeStep', { count }) as Promise<Result<TimeStatus & { stepped: number }>>;
}
