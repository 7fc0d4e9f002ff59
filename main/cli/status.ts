// `qwen-studio status`: the queue, the jobs by state and every batch, as text or as one JSON value.
import { catalogPath } from '../engine/services/catalog.ts';
import { EXIT, type CommonFlags, type Io } from './common.ts';
import { withStudio } from './studio.ts';

export function cmdStatus(io: Io, flags: CommonFlags): Promise<number> {
  return withStudio(io, flags, async (studio) => {
    if (await studio.catalog.needsRebuild())
      io.err(
        `The catalog ${catalogPath(studio.dataDir)} lists nothing, but the library folder holds images: ` +
          '`qwen-studio library rebuild` brings their batches, prompts, seeds and credits back.',
      );
    const batches = studio.batches.list();
    const totals = studio.queue.totals();
    const q = studio.queue.stored();
    if (flags.json) {
      io.out(JSON.stringify({ dataDir: studio.dataDir, queue: q, totals, batches }, null, 2));
      return EXIT.ok;
    }
    io.out(`Data folder: ${studio.dataDir}`);
    io.out(`Queue: ${q.paused ? `paused (${q.reason}) — ${q.message ?? ''}` : 'ready'}`);
    const c = totals.counts;
    io.out(
      `Jobs: ${c.done} done, ${c.running + c.submitting + c.downloading} in progress, ${c.queued} queued, ${c.paused} paused, ` +
        `${c.failed} failed, ${c.uncertain} uncertain, ${c.canceled} canceled. Credits spent: ${totals.creditsSpent}. Images: ${totals.assets}.`,
    );
    if (batches.length === 0) io.out('No batches yet: qwen-studio run prompts.txt');
    for (const b of batches) {
      const bc = b.counts;
      io.out(
        `  #${b.id} ${b.name} [${b.status}${b.pauseReason ? `: ${b.pauseReason}` : ''}] ${bc.done}/${b.total} done` +
          (bc.failed ? `, ${bc.failed} failed` : '') +
          (bc.uncertain ? `, ${bc.uncertain} uncertain` : '') +
          `, ${b.creditsSpent}/${b.creditsEstimate} credits`,
      );
    }
    return EXIT.ok;
  });
}
