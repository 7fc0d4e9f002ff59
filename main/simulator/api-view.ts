// The generation object as the service sends it, at a given moment of the generation's life.
import type { SimGeneration, SimStatus } from './generation.ts';
import type { SimState } from './state.ts';
import { contentTypeOf, resultFileName } from './files.ts';

export const FAILED_MESSAGE =
  'The provider could not generate this image (simulated failure). You were not charged; retry the job or change the prompt.';

/** The names older answers used (API.md, statuses), under the legacyStatuses fault. */
const LEGACY_NAMES: Record<SimStatus, string> = {
  IN_QUEUE: 'starting',
  IN_PROGRESS: 'processing',
  COMPLETED: 'succeeded',
  FAILED: 'failed',
  CANCELED: 'canceled',
};

export function statusName(state: SimState, status: SimStatus): string {
  return state.faults.legacyStatuses ? LEGACY_NAMES[status] : status;
}

/**
 * `at` picks the moment shown (an SSE stream shows each status in turn); result links are issued now,
 * and afresh on every call when links expire, as the service hands out new signed URLs on each poll.
 */
export function apiView(
  state: SimState,
  generation: SimGeneration,
  at: number,
  origin: string,
): Record<string, unknown> {
  const status = generation.statusAt(at);
  const view: Record<string, unknown> = {
    id: generation.id,
    status: statusName(state, status),
    input: generation.input,
    data: null,
    usage: generation.usageAt(at),
  };
  if (status === 'FAILED') {
    view.code = 'IMAGE_GENERATION_FAILED';
    view.message = FAILED_MESSAGE;
  }
  if (status === 'COMPLETED') {
    const { plan } = generation;
    const now = Date.now();
    const images = Array.from({ length: plan.numImages }, (_, index) => {
      const fileName = resultFileName(generation, index);
      const token = state.links.issue(generation.id, index, state.faults.linkTtlMs, now);
      return {
        url: `${origin}/api/files/${token}/${fileName}`,
        file_name: fileName,
        content_type: contentTypeOf(generation),
        width: plan.width,
        height: plan.height,
      };
    });
    view.data = {
      type: 'image',
      n: plan.numImages,
      actual_prompt: plan.actualPrompt,
      images,
      image: images[0],
    };
  }
  return view;
}

/**
 * The answer to a create: the generation at its start, with the variants the docs show — no `input` with
 * the older status names (the qwen-image-2-pro example), `usage` already filled in (the create example).
 */
export function createView(
  state: SimState,
  generation: SimGeneration,
  origin: string,
): Record<string, unknown> {
  const view = apiView(state, generation, generation.createdAt, origin);
  if (state.faults.legacyStatuses) delete view.input;
  if (state.faults.usageInCreate) {
    view.usage = { total: generation.cost, subscription: generation.cost, permanent: 0 };
  }
  return view;
}

export function runningItem(
  state: SimState,
  generation: SimGeneration,
  now: number,
): Record<string, unknown> {
  return {
    id: generation.id,
    status: statusName(state, generation.statusAt(now)),
    usage: generation.usageAt(now),
    input: generation.input,
  };
}
