// `qwen-studio job <id> edit --prompt … --seed … [parameters]`: changes a queued job before it is sent (the
// same engine operation as the app's pencil, `job.edit`). A job already sent is refused by the engine with
// its state; the running queue (the app or another CLI) sends the edited values at its next claim.
import { LIMITS } from '../../shared/api.ts';
import type { GenerationInput } from '../../shared/api.ts';
import { EXIT, UsageError, intOption, oneOf, type CommonFlags, type Io } from './common.ts';
import { paramsFromFlags, type RunFlags } from './run.ts';
import { StudioError } from '../engine/errors.ts';
import type { Studio } from '../engine/studio.ts';
import { withStudio } from './studio.ts';

export const JOB_ACTIONS = ['edit'] as const;

export type JobEditFlags = CommonFlags &
  Pick<
    RunFlags,
    | 'aspectRatio'
    | 'imageSize'
    | 'numImages'
    | 'outputFormat'
    | 'seed'
    | 'negative'
    | 'expansion'
    | 'safetyChecker'
  > & { prompt?: string };

const LABELS: [keyof GenerationInput, string][] = [
  ['aspect_ratio', 'aspect ratio'],
  ['image_size', 'size'],
  ['num_images', 'images'],
  ['output_format', 'format'],
  ['negative_prompt', 'negative prompt'],
  ['enable_prompt_expansion', 'prompt expansion'],
  ['enable_safety_checker', 'safety checker'],
  ['seed', 'seed'],
];

function describeChange(input: GenerationInput, changed: Set<string>): string {
  return LABELS.filter(([k]) => changed.has(k))
    .map(([k, label]) => {
      const v = input[k];
      return `${label} ${typeof v === 'boolean' ? (v ? 'on' : 'off') : JSON.stringify(v)?.replace(/^"|"$/g, '')}`;
    })
    .join(', ');
}

/**
 * A job by its number (`41`), or as the Queue shows it: a batch and the job's place in it (`12/3`, the
 * third job of batch 12).
 */
function resolveJob(studio: Studio, ref: string): number {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(ref);
  if (!m) return intOption('job', ref, 1, Number.MAX_SAFE_INTEGER);
  const [batchId, seq] = [Number(m[1]), Number(m[2])];
  const { total, rows } = studio.jobs.list({ batchId, offset: Math.max(0, seq - 1), limit: 1 });
  const row = rows[0];
  if (total === 0) throw new StudioError('NOT_FOUND', `There is no batch #${batchId} (or it has no jobs).`);
  if (!row || row.seq !== seq)
    throw new StudioError('NOT_FOUND', `Batch #${batchId} has no job ${seq}: its jobs are 1 to ${total}.`);
  return row.id;
}

export function cmdJob(io: Io, job: string, action: string, flags: JobEditFlags): Promise<number> {
  if (!/^\s*\d+\s*(\/\s*\d+\s*)?$/.test(job))
    throw new UsageError(`job must be a job number (41) or a batch and its job (12/3); got "${job}".`);
  oneOf('job action', action, JOB_ACTIONS);
  const params: Record<string, unknown> = { ...paramsFromFlags({ ...flags, expansion: undefined }) };
  if (flags.expansion !== undefined) params.enable_prompt_expansion = flags.expansion;
  if (flags.seed !== undefined) params.seed = intOption('--seed', flags.seed, 0, LIMITS.seedMax);
  const prompt = flags.prompt?.trim();
  if (flags.prompt !== undefined && !prompt) throw new UsageError('--prompt is empty; give the new prompt.');
  if (prompt === undefined && Object.keys(params).length === 0) {
    throw new UsageError(
      `job ${job} edit needs a change: --prompt, --seed or a parameter (qwen-studio job --help lists them).`,
    );
  }
  return withStudio(io, flags, (studio) => {
    const j = studio.jobs.edit(resolveJob(studio, job), {
      ...(prompt !== undefined ? { prompt } : {}),
      params,
    });
    if (flags.json) {
      io.out(JSON.stringify({ id: j.id, batchId: j.batchId, seq: j.seq, state: j.state, input: j.input }));
    } else {
      const change = describeChange(j.input, new Set(Object.keys(params)));
      io.out(
        `Job #${j.id} (batch #${j.batchId}) will be sent as "${j.input.prompt}"${change ? ` — ${change}` : ''}.`,
      );
    }
    return EXIT.ok;
  });
}
