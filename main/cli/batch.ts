// `qwen-studio batch <id> move|priority|budget|duplicate`: steering the queue from a terminal. The running
// queue (app or another CLI) picks the change up at its next claim.
import { EXIT, UsageError, intOption, oneOf, type CommonFlags, type Io } from './common.ts';
import { withStudio } from './studio.ts';

export const BATCH_ACTIONS = ['move', 'priority', 'budget', 'duplicate'] as const;

export function cmdBatch(
  io: Io,
  batch: string,
  action: string,
  value: string | undefined,
  flags: CommonFlags,
): Promise<number> {
  const id = intOption('batch', batch, 1, Number.MAX_SAFE_INTEGER);
  const act = oneOf('batch action', action, BATCH_ACTIONS);
  const need = (what: string): string => {
    if (value === undefined) throw new UsageError(`batch ${id} ${act} needs ${what}.`);
    return value;
  };
  return withStudio(io, flags, (studio) => {
    const summary =
      act === 'move'
        ? studio.batches.move(
            id,
            oneOf('move', need('top, bottom, up or down'), ['top', 'bottom', 'up', 'down'] as const),
          )
        : act === 'priority'
          ? studio.batches.setPriority(
              id,
              intOption('priority', need('a priority from -2 to 2'), -2, 2) as -2 | -1 | 0 | 1 | 2,
            )
          : act === 'budget'
            ? studio.batches.setBudget(
                id,
                need('a number of credits or "none"') === 'none'
                  ? null
                  : intOption('budget', value as string, 1, Number.MAX_SAFE_INTEGER),
              )
            : studio.batches.duplicate(id);
    if (flags.json) io.out(JSON.stringify(summary));
    else {
      const place = studio.batches.list().findIndex((b) => b.id === summary.id) + 1;
      io.out(
        `#${summary.id} ${summary.name}: ${summary.status}, priority ${summary.priority}, ` +
          `budget ${summary.maxCredits ?? 'none'}, place ${place} in the queue.`,
      );
    }
    return EXIT.ok;
  });
}
