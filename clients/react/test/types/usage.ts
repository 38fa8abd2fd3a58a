// A typed use of jobpulse-react: compiled (tsc, strict, no output) by hooks.test.js.
import { createElement, type ReactElement } from 'react';
import { createClient, type Job } from 'jobpulse-client';
import { JobpulseProvider, useBatch, useJob, useJobs, type HookState } from 'jobpulse-react';

const client = createClient({ baseUrl: 'http://localhost:8080', auth: 'eyJ...' });

function JobCard({ id }: { id: string | null }): ReactElement {
  const { job, state, error } = useJob(id);
  const status: string | undefined = job?.status;
  const shown: HookState = state;
  return createElement('p', null, error ? error.message : `${shown} ${status ?? ''}`);
}

function Running(): ReactElement {
  const { jobs } = useJobs({ statuses: ['running'], tag: 'demo' }, { client, enabled: true });
  const first: Job | undefined = jobs[0];
  return createElement('p', null, first?.id ?? 'none');
}

function BatchBar({ id }: { id: string }): ReactElement {
  const { batch, jobs } = useBatch(id, { jobs: true });
  const done: number = batch?.done ?? 0;
  return createElement('p', null, `${done} of ${batch?.total ?? 0}, ${Object.keys(jobs).length} jobs seen`);
}

export const app = createElement(JobpulseProvider, { client }, createElement(JobCard, { id: '019a' }), createElement(Running),
  createElement(BatchBar, { id: '019b' }));

// @ts-expect-error: a status that does not exist
useJobs({ statuses: ['sleeping'] });
