// The events the main process pushes to the page on the `studio:event` channel. The preload forwards only
// these names. Imports nothing at run time (the sandboxed preload bundles this file).
import type { EventName } from '../../shared/contract.ts';

export type { MenuAction, MenuEvent } from '../../shared/contract.ts';

/**
 * The contract's events (`menu` included). `satisfies Record<…>` makes the compiler fail here when the
 * contract gains an event this list lacks.
 */
const PAGE_EVENTS = {
  job: true,
  queue: true,
  batch: true,
  asset: true,
  task: true,
  menu: true,
} as const satisfies Record<EventName, true>;
export type PageEventName = keyof typeof PAGE_EVENTS;

export function isPageEvent(name: unknown): name is PageEventName {
  return typeof name === 'string' && Object.hasOwn(PAGE_EVENTS, name);
}
