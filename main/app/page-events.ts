// The events the main process pushes to the page on the `studio:event` channel. The preload forwards only
// these names. Imports nothing at run time (the sandboxed preload bundles this file).
import type { EventName } from '../../shared/contract.ts';

/** What a native menu item or its shortcut asks the page to do. */
export type MenuAction = 'new-batch' | 'run' | 'focus-compose' | 'focus-queue' | 'focus-library';
export interface MenuEvent {
  action: MenuAction;
}

/**
 * The contract's events plus `menu`. `menu` is not (yet) in shared/contract.ts's EventPayloads, so the page can
 * only subscribe to it once the contract lists it (`menu: MenuEvent`); until then menu shortcuts do nothing.
 * `satisfies Record<…>` makes the compiler fail here when the contract gains an event this list lacks.
 */
const PAGE_EVENTS = { job: true, queue: true, batch: true, asset: true, menu: true } as const satisfies Record<
  EventName | 'menu',
  true
>;
export type PageEventName = keyof typeof PAGE_EVENTS;

export function isPageEvent(name: unknown): name is PageEventName {
  return typeof name === 'string' && Object.hasOwn(PAGE_EVENTS, name);
}
