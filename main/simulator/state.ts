// Everything one running simulator knows: current faults, its random streams, the generations by id and
// by key, credits, links, uploads and rendered images. The routes read and change it; nothing else does.
import { DEFAULT_FAULTS, type SimulatorFaults, checkFaultsPatch } from './options.ts';
import { createRandom, type Random } from './prng.ts';
import { SimulatorLedger } from './ledger.ts';
import { SimGeneration, type GenerationPlan } from './generation.ts';
import { RefFiles, RenderedImages, ResultLinks } from './files.ts';

export class SimState {
  faults: SimulatorFaults;
  rejectPattern: RegExp | null = null;
  failPattern: RegExp | null = null;
  /** Separate streams, so switching one fault on does not reshuffle latencies or ids. */
  readonly faultRandom: Random;
  readonly timingRandom: Random;
  readonly idRandom: Random;
  readonly ledger = new SimulatorLedger();
  readonly generations = new Map<string, SimGeneration>();
  readonly links: ResultLinks;
  readonly refs = new RefFiles();
  readonly images = new RenderedImages();
  /** Stoppers of the SSE streams still open, so close() can end them rather than wait for them. */
  readonly openStreams = new Set<() => void>();
  /** Per key fingerprint: generations that were not yet terminal when last looked at. */
  readonly #active = new Map<string, Set<SimGeneration>>();
  #charged = 0;
  #refunded = 0;
  #failingUnrefunded: SimGeneration[] = [];
  #turns = { create5xx: 0, poll5xx: 0, acceptThen5xx: 0 };

  constructor(seed: number, faults: Partial<SimulatorFaults> | undefined) {
    this.faultRandom = createRandom(seed);
    this.timingRandom = createRandom(seed ^ 0x5bd1e995);
    this.idRandom = createRandom(seed ^ 0x27d4eb2f);
    this.links = new ResultLinks(this.idRandom);
    this.faults = { ...DEFAULT_FAULTS };
    this.setFaults(faults ?? {});
  }

  setFaults(patch: Partial<SimulatorFaults>): void {
    const checked = checkFaultsPatch(patch);
    this.faults = { ...this.faults, ...checked };
    this.rejectPattern = this.faults.rejectPattern === null ? null : new RegExp(this.faults.rejectPattern);
    this.failPattern = this.faults.failPattern === null ? null : new RegExp(this.faults.failPattern);
  }

  accept(plan: GenerationPlan): SimGeneration {
    const generation = new SimGeneration(plan);
    this.generations.set(plan.id, generation);
    this.ledger.addGeneration(generation);
    let active = this.#active.get(plan.owner);
    if (!active) this.#active.set(plan.owner, (active = new Set()));
    active.add(generation);
    this.#charged += generation.cost;
    if (plan.fails || plan.canceled) this.#failingUnrefunded.push(generation);
    return generation;
  }

  /** The key's generations still queued or in progress, newest first. */
  running(owner: string, now: number): SimGeneration[] {
    const active = this.#active.get(owner);
    if (!active) return [];
    for (const generation of active) if (now >= generation.endAt) active.delete(generation);
    return [...active].reverse();
  }

  /** Credits not yet spent or held by generations still running; a failed generation gives its back. */
  creditsLeft(now: number): number {
    if (this.faults.credits === null) return Infinity;
    this.#failingUnrefunded = this.#failingUnrefunded.filter((generation) => {
      if (now < generation.endAt) return true;
      this.#refunded += generation.cost;
      return false;
    });
    return this.faults.credits - this.#charged + this.#refunded;
  }

  /** Create 5xx faults alternate 500 FAILED / 503 PROVIDER_UNAVAILABLE. */
  nextCreate5xx(): 500 | 503 {
    return this.#turns.create5xx++ % 2 === 0 ? 500 : 503;
  }

  /** Gateway errors after acceptance alternate a proxy's HTML 502 page and a 504 TIMEOUT. */
  nextAcceptThen5xx(): 502 | 504 {
    return this.#turns.acceptThen5xx++ % 2 === 0 ? 502 : 504;
  }

  /** Poll 5xx faults go round 502, 503, 504. */
  nextPoll5xx(): 502 | 503 | 504 {
    return ([502, 503, 504] as const)[this.#turns.poll5xx++ % 3]!;
  }
}
