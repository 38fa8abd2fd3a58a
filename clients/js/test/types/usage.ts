// A typed use of jobpulse-client: compiled (tsc, strict, no output) by client.test.js against the installed package.
import { createClient, JobpulseError, type Job, type JobUpdate, type WatchState } from 'jobpulse-client';

const jobpulse = createClient({
  baseUrl: 'http://localhost:8080',
  auth: async () => 'eyJ...',
  streamToken: async ({ jobs }) => ({ token: `jst_${jobs?.length ?? 0}`, expiresAt: new Date().toISOString() }),
  transports: ['sse', 'websocket', 'poll'],
  backoff: { initial: 200, max: 10_000 },
});

const watch = jobpulse.watchJob('019a', {
  onJob(job: Job, update: JobUpdate) {
    const progress: number | undefined = job.progress;
    const version: number = update.version;
    console.log(progress, version, update.snapshot, update.changed.join(','));
  },
  onState(state: WatchState) { console.log(state); },
  onError(error: JobpulseError) { console.log(error.kind, error.status, error.problem?.detail); },
  onEnd(job) { console.log(job.status === 'succeeded'); },
});
watch.close();

const list = jobpulse.watchJobs({ types: ['image.generate'], statuses: ['running'], tag: 'demo' }, {
  onJobs(jobs, update) { console.log(jobs.length, update?.jobId); },
  onUpdate(update) { console.log(update.job.id); },
});
list.close();

const batchWatch = jobpulse.watchBatch('019b', {
  jobs: true,
  onChange(batch, update) { console.log(batch.done, batch.total, batch.progress, update.version, update.status === 'partial'); },
  onJob(job, update) { console.log(job.id, update.version); },
  onEnd(batch) { console.log(batch.status, batch.counts.failed); },
});
batchWatch.close();

async function requests(): Promise<void> {
  const job = await jobpulse.submitJob({ type: 'image.generate', input: { prompt: 'x' }, tags: ['demo'] }, { idempotencyKey: 'k' });
  const again: Job = await jobpulse.getJob(job.id);
  const page = await jobpulse.listJobs({ status: ['running', 'queued'], type: 'image.generate', tag: 'demo', limit: 20 });
  const next: string | undefined = page.nextCursor;
  console.log(again.version, page.jobs.length, next);
  await jobpulse.cancel(job.id, { reason: 'not needed' });
  await jobpulse.retry(job.id);
  try {
    await jobpulse.getJob('missing');
  } catch (error) {
    if (error instanceof JobpulseError && error.kind === 'not-found') console.log(error.detail);
  }
}
void requests;

// @ts-expect-error: a transport that does not exist
createClient({ transports: ['carrier-pigeon'] });
