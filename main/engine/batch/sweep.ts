// A sweep's cells as parameter overrides: each cell is one value per axis (X turning fastest), applied on
// top of the batch's and the row's parameters. The prompt axis is a search and replace: its first value is
// the text searched for in every prompt, and each value replaces it (A1111's "Prompt S/R").
import type { Model } from '../../../shared/api.ts';
import type { GenerationParams } from '../../../shared/domain.ts';
import { cellIndices, sweepCells, type SweepAxis } from '../../../shared/sweep.ts';

export interface SweepCell {
  /** The value index on each axis. */
  indices: number[];
  params: GenerationParams;
  model: Model | null;
  /** Prompt S/R: replace `search` with `replace` in the expanded prompt. */
  replace: { search: string; replace: string } | null;
}

export function sweepCellList(axes: readonly SweepAxis[]): SweepCell[] {
  const n = sweepCells(axes);
  const out: SweepCell[] = [];
  for (let c = 0; c < n; c++) {
    const indices = cellIndices(axes, c);
    const params: Record<string, unknown> = {};
    let model: Model | null = null;
    let replace: SweepCell['replace'] = null;
    axes.forEach((axis, a) => {
      const value = axis.values[indices[a] as number];
      if (axis.param === 'model') model = value as Model;
      else if (axis.param === 'prompt') replace = { search: String(axis.values[0]), replace: String(value) };
      else params[axis.param] = value;
    });
    out.push({ indices, params: params as GenerationParams, model, replace });
  }
  return out;
}

/** Images per job of each cell: a num_images axis sets it, otherwise the parameters do. */
export function cellImages(cell: SweepCell, base: GenerationParams): number {
  return cell.params.num_images ?? base.num_images ?? 1;
}
