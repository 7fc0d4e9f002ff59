// Tells the OS what the queue is doing while the person looks elsewhere: a notification when a batch finishes
// or the queue pauses on its own, and one progress bar on the taskbar/dock icon across the active batches.
// The rules are in progress.ts; this is the Electron side.
import { Notification, type BrowserWindow } from 'electron';
import type { MenuEvent } from '../../shared/contract.ts';
import type { BatchSummary, QueueStatus } from '../../shared/domain.ts';
import type { Studio } from '../engine/studio.ts';
import { batchFinishedNotice, queuePausedNotice, taskbarProgress, type OsNotice } from './progress.ts';

export interface NotifyOptions {
  studio: Studio;
  window: () => BrowserWindow | null;
  /** Shows the window when a notification is clicked. */
  focus: () => void;
  /** Tells the page what a clicked notice is about (a finished batch: its images in the Library). */
  send: (event: MenuEvent) => void;
}

/** Starts listening; returns the function that stops. */
export function startNotifications(opts: NotifyOptions): () => void {
  const { studio } = opts;
  const batches = new Map<number, BatchSummary>();
  for (const b of studio.batches.list()) batches.set(b.id, b);
  let queue: QueueStatus | undefined = studio.queue.status();
  let lastBar = '';
  let lastWin: BrowserWindow | null = null;
  let barTimer: NodeJS.Timeout | null = null;

  const show = (notice: OsNotice | null) => {
    if (!notice || !Notification.isSupported()) return;
    const win = opts.window();
    // Someone looking at the window already sees it; the OS notice is for when they are elsewhere.
    if (win && !win.isDestroyed() && win.isFocused()) return;
    const n = new Notification({ title: notice.title, body: notice.body, silent: false });
    n.on('click', () => {
      opts.focus();
      if (notice.click) opts.send(notice.click);
    });
    n.show();
  };

  const updateBar = () => {
    barTimer = null;
    const win = opts.window();
    if (!win || win.isDestroyed()) return;
    if (win !== lastWin) {
      // A new window (macOS re-opens one from the dock) starts without a bar.
      lastWin = win;
      lastBar = '';
    }
    const p = taskbarProgress([...batches.values()], queue ?? null);
    const key = `${p.value.toFixed(3)}:${p.mode}`;
    if (key === lastBar) return;
    lastBar = key;
    win.setProgressBar(p.value, { mode: p.mode });
  };
  // Batch events arrive once per job change; the bar needs at most a few updates a second.
  const scheduleBar = () => {
    barTimer ??= setTimeout(updateBar, 250);
  };

  const onBatch = (b: BatchSummary) => {
    show(batchFinishedNotice(batches.get(b.id), b));
    batches.set(b.id, b);
    scheduleBar();
  };
  const onQueue = (q: QueueStatus) => {
    show(queuePausedNotice(queue, q));
    queue = q;
    scheduleBar();
  };
  studio.on('batch', onBatch);
  studio.on('queue', onQueue);
  updateBar();

  return () => {
    studio.off('batch', onBatch);
    studio.off('queue', onQueue);
    if (barTimer) clearTimeout(barTimer);
    const win = opts.window();
    if (win && !win.isDestroyed()) win.setProgressBar(-1);
  };
}
