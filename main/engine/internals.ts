// The engine's insides behind a Studio — its stores, scheduler and library — for the engine's own tests
// only. Every front door (the CLI, the app, the bridge) goes through the services; eslint.config.js refuses
// this file to any of them, so nothing outside the engine can reach past the services by accident.
import type { Library } from './library/library.ts';
import type { Scheduler } from './scheduler/scheduler.ts';
import type { Stores } from './store/stores.ts';

export interface EngineInternals {
  stores: Stores;
  scheduler: Scheduler;
  library: Library;
}

const registry = new WeakMap<object, EngineInternals>();

/** Called once by Studio's constructor. */
export function registerInternals(owner: object, internals: EngineInternals): void {
  registry.set(owner, internals);
}

/** The stores, scheduler and library of a Studio (tests only). */
export function internalsOf(owner: object): EngineInternals {
  const i = registry.get(owner);
  if (!i) throw new Error('internalsOf() needs a Studio');
  return i;
}
