// `qwen-studio sheet <batch> --out sheet.png`: a sweep's contact sheet, labelled with its axes' values.
import { resolve } from 'node:path';
import { EXIT, intOption, type CommonFlags, type Io } from './common.ts';
import { withStudio } from './studio.ts';

export function cmdSheet(
  io: Io,
  batch: string,
  flags: CommonFlags & { out: string; cellSize?: string; dark?: boolean },
): Promise<number> {
  const id = intOption('batch', batch, 1, Number.MAX_SAFE_INTEGER);
  const cellSize = intOption('--cell-size', flags.cellSize ?? '256', 48, 1024);
  return withStudio(io, flags, async (studio) => {
    const r = await studio.batches.contactSheet(id, resolve(flags.out), {
      cellSize,
      dark: Boolean(flags.dark),
    });
    if (flags.json) io.out(JSON.stringify(r));
    else
      io.out(
        `Wrote ${r.path} (${r.width}×${r.height}, ${r.cells} cell(s)` +
          (r.missing ? `, ${r.missing} without an image yet` : '') +
          ').',
      );
    return EXIT.ok;
  });
}
