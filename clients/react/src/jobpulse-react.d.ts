// Types of jobpulse-react (jobpulse-react.js). Written by hand.
import type { ReactElement, ReactNode } from 'react';
import type { Batch, Job, JobpulseClient, JobpulseError, JobsFilter, WatchState } from 'jobpulse-client';

export function JobpulseProvider(props: { client: JobpulseClient; children?: ReactNode }): ReactElement;

/** The client given, else the nearest JobpulseProvider's. */
export function useJobpulseClient(client?: JobpulseClient): JobpulseClient | null;

/** A hook's state: the watch's, or 'idle' when it watches nothing (no id, or enabled: false). */
export type HookState = WatchState | 'idle';

export interface HookOptions {
  /** The client to use instead of the JobpulseProvider's. */
  client?: JobpulseClient;
  /** false: watch nothing (state 'idle'). */
  enabled?: boolean;
}

export function useJob(id: string | null | undefined, options?: HookOptions): {
  job: Job | null;
  state: HookState;
  error: JobpulseError | Error | null;
};

export function useJobs(filter?: JobsFilter, options?: HookOptions): {
  jobs: Job[];
  state: HookState;
  error: JobpulseError | Error | null;
};

/** Follows one batch; with `jobs: true`, `jobs` holds the latest state of each of its jobs that changed while watched. */
export function useBatch(id: string | null | undefined, options?: HookOptions & { jobs?: boolean }): {
  batch: Batch | null;
  jobs: Record<string, Job>;
  state: HookState;
  error: JobpulseError | Error | null;
};
