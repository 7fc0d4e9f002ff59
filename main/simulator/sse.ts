// The create-with-stream route after acceptance: one `data:` frame per status, keep-alive comments in
// between, the end after the terminal frame; or, under the sseDrop fault, a cut socket half way.
import { apiView } from './api-view.ts';
import type { SimGeneration } from './generation.ts';
import type { RouteContext } from './routes-generation.ts';

export function streamGeneration(ctx: RouteContext, generation: SimGeneration): void {
  const { state, res } = ctx;
  const streams = state.openStreams;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'x-accel-buffering': 'no',
  });

  const timers: NodeJS.Timeout[] = [];
  let lastWrite: Promise<void> = Promise.resolve();
  const write = (text: string) => {
    lastWrite = new Promise((resolve) => res.write(text, () => resolve()));
  };
  const frame = (at: number) =>
    write(`data: ${JSON.stringify(apiView(state, generation, at, ctx.origin))}\n\n`);
  const at = (time: number, action: () => void) => {
    timers.push(setTimeout(action, Math.max(0, time - Date.now())));
  };
  const stop = () => {
    for (const timer of timers) clearTimeout(timer);
    clearInterval(keepAlive);
    streams.delete(stop);
  };
  streams.add(stop);
  res.on('close', stop);

  frame(generation.createdAt);
  const keepAlive = state.faults.sseKeepAlive
    ? setInterval(() => write(': keep-alive\n\n'), Math.max(10, ctx.sseKeepAliveMs))
    : undefined;
  at(generation.startAt, () => frame(generation.startAt));
  if (state.faultRandom.chance(state.faults.sseDrop)) {
    state.ledger.countFault('sseDrop');
    const cutAt = (generation.createdAt + generation.endAt) / 2;
    // Wait until what was written has left, so the client really sees frames and then a cut.
    at(cutAt, () => {
      stop();
      void lastWrite.then(() => res.socket?.destroy());
    });
    return;
  }
  at(generation.endAt, () => {
    frame(generation.endAt);
    stop();
    res.end();
  });
}
