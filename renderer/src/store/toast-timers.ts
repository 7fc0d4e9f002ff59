// How long a toast stays: its time runs only while nobody is reading it. Pointing at a toast or moving the
// focus into it holds it (an Undo must not vanish under the pointer); leaving gives it its whole time again.

export class ToastTimers {
  private readonly running = new Map<
    number,
    { ms: number; end: () => void; timer: ReturnType<typeof setTimeout> | null }
  >();

  /** Ends the toast after `ms`, unless held meanwhile. */
  start(id: number, ms: number, end: () => void): void {
    this.stop(id);
    this.running.set(id, { ms, end, timer: setTimeout(() => this.finish(id), ms) });
  }

  /** Stops the clock while the person points at or is inside the toast. */
  hold(id: number): void {
    const t = this.running.get(id);
    if (t?.timer) {
      clearTimeout(t.timer);
      t.timer = null;
    }
  }

  /** Starts the clock again, from the beginning. */
  release(id: number): void {
    const t = this.running.get(id);
    if (t && !t.timer) t.timer = setTimeout(() => this.finish(id), t.ms);
  }

  /** Forgets a toast that was dismissed. */
  stop(id: number): void {
    const t = this.running.get(id);
    if (t?.timer) clearTimeout(t.timer);
    this.running.delete(id);
  }

  private finish(id: number): void {
    const t = this.running.get(id);
    this.running.delete(id);
    t?.end();
  }
}
