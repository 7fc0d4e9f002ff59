// Long operations the UI starts and watches (export, import): a call returns the task at once, progress
// goes out as `task` events, and task.cancel aborts through the task's AbortSignal. One registry per Studio
// (`studio.tasks`), shared by the services (which start tasks) and subscribeEvents (which forwards their
// events), so every open view sees every task whichever transport started it.
import { EventEmitter } from 'node:events';
import type { TaskInfo } from '../../../shared/contract.ts';

type Kind = TaskInfo['kind'];
type ResultOf<K extends Kind> = NonNullable<Extract<TaskInfo, { kind: K }>['result']>;

export interface TaskContext {
  signal: AbortSignal;
  /** Reports progress; events go out at most every PROGRESS_MS (the last one always does). */
  progress(done: number, total: number, message: string): void;
}

export interface TaskOutcome<K extends Kind> {
  result: ResultOf<K>;
  message: string;
  /** The work stopped early because of a cancel but has a result to report (a partial import). */
  canceled?: boolean;
}

/** Progress events per task per second are capped: a 100k-file export must not flood the page. */
const PROGRESS_MS = 100;
/** Finished tasks kept for tasks.list (a view opened later still sees how the last ones ended). */
const KEEP_FINISHED = 20;

export class TaskRegistry extends EventEmitter<{ task: [TaskInfo] }> {
  private seq = 0;
  private readonly tasks = new Map<number, { info: TaskInfo; abort: AbortController }>();

  /** Starts `run` in the background and returns the task as it starts. `run` may throw: the task fails. */
  start<K extends Kind>(
    kind: K,
    message: string,
    run: (ctx: TaskContext) => Promise<TaskOutcome<K>>,
  ): TaskInfo {
    const id = ++this.seq;
    const abort = new AbortController();
    const info = {
      id,
      kind,
      state: 'running',
      done: 0,
      total: 0,
      message,
      startedAt: Date.now(),
    } as TaskInfo;
    this.tasks.set(id, { info, abort });
    let lastSent = 0;
    let pending: ReturnType<typeof setTimeout> | null = null;
    const send = () => {
      pending = null;
      lastSent = Date.now();
      this.emit('task', { ...info });
    };
    const ctx: TaskContext = {
      signal: abort.signal,
      progress: (done, total, text) => {
        if (info.state !== 'running') return;
        Object.assign(info, { done, total, message: text });
        const wait = PROGRESS_MS - (Date.now() - lastSent);
        if (wait <= 0) send();
        else pending ??= setTimeout(send, wait);
      },
    };
    const finish = (patch: Partial<TaskInfo>) => {
      if (pending) clearTimeout(pending);
      Object.assign(info, patch);
      this.prune();
      send();
    };
    // Deferred a turn so the caller has the task (and its id) before the first event can arrive.
    setImmediate(() => {
      run(ctx).then(
        (out) =>
          finish({
            state: out.canceled || abort.signal.aborted ? 'canceled' : 'done',
            result: out.result,
            message: out.message,
          } as Partial<TaskInfo>),
        (err: unknown) =>
          finish({
            state: abort.signal.aborted ? 'canceled' : 'failed',
            message: err instanceof Error ? err.message : String(err),
          }),
      );
    });
    this.emit('task', { ...info });
    return { ...info };
  }

  /** Asks a running task to stop; its final event says how it ended. Null for an unknown id. */
  cancel(id: number): TaskInfo | null {
    const t = this.tasks.get(id);
    if (!t) return null;
    if (t.info.state === 'running' && !t.abort.signal.aborted) {
      t.info.message = 'Canceling…';
      t.abort.abort();
      this.emit('task', { ...t.info });
    }
    return { ...t.info };
  }

  list(): TaskInfo[] {
    return [...this.tasks.values()].map((t) => ({ ...t.info }));
  }

  /** Aborts everything still running (the studio is closing). */
  cancelAll(): void {
    for (const t of this.tasks.values()) if (t.info.state === 'running') t.abort.abort();
  }

  private prune(): void {
    const finished = [...this.tasks.values()].filter((t) => t.info.state !== 'running');
    for (const t of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED)))
      this.tasks.delete(t.info.id);
  }
}
