// The engine's events → the store. A busy queue sends many events a second; they are gathered and applied
// together at most every 50 ms so the lists re-render once per burst, not once per event.
import type { TaskInfo } from '../../../shared/contract.ts';
import type { AssetRow, BatchSummary, JobRow, QueueStatus } from '../../../shared/domain.ts';
import { api } from '../api.ts';
import { useStudio } from './index.ts';

const FLUSH_MS = 50;

export function connectEvents(): () => void {
  let jobs = new Map<number, JobRow>();
  let batches = new Map<number, BatchSummary>();
  let assets: AssetRow[] = [];
  let tasks = new Map<number, TaskInfo>();
  let queue: QueueStatus | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const flush = () => {
    timer = null;
    const bundle = { jobs: [...jobs.values()], batches: [...batches.values()], queue };
    const fresh = assets;
    const taskUpdates = [...tasks.values()];
    tasks = new Map();
    jobs = new Map();
    batches = new Map();
    assets = [];
    queue = null;
    const s = useStudio.getState();
    s.applyEvents(bundle);
    if (fresh.length) {
      s.addAssets(fresh);
      s.addJobImages(fresh);
    }
    if (taskUpdates.length) s.applyTasks(taskUpdates);
  };
  const schedule = () => {
    timer ??= setTimeout(flush, FLUSH_MS);
  };

  const offs = [
    api.on('job', (j) => {
      jobs.set(j.id, j);
      schedule();
    }),
    api.on('batch', (b) => {
      batches.set(b.id, b);
      schedule();
    }),
    api.on('queue', (q) => {
      queue = q;
      schedule();
    }),
    api.on('asset', (a) => {
      assets.push(a);
      schedule();
    }),
    api.on('task', (t) => {
      tasks.set(t.id, t);
      schedule();
    }),
    api.on('menu', (event) => {
      const s = useStudio.getState();
      const { action } = event;
      if (event.action === 'open-batch') s.openBatchImages(event.batchId);
      else if (action === 'focus-queue') s.setArea('queue');
      else if (action === 'focus-library') s.setArea('library');
      else if (action === 'run') void s.runBatch();
      else {
        s.setArea('compose');
        if (action === 'new-batch') document.getElementById('prompt-editor')?.focus();
      }
    }),
    api.onConnection((c) => useStudio.getState().setConnection(c)),
  ];
  return () => {
    for (const off of offs) off();
    if (timer) clearTimeout(timer);
  };
}
