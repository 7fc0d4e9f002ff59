// What the simulator saw and did, for tests in the same process and (as JSON) for GET /__sim/ledger:
// requests by route and status, every accepted generation, every fault it injected.

export interface LedgerUsage {
  total: number;
  subscription: number;
  permanent: number;
}

export interface LedgerUpload {
  fileName: string;
  contentType: string;
  size: number;
  sha256: string;
}

export interface LedgerImage {
  index: number;
  sha256: string;
  size: number;
  format: string;
  width: number;
  height: number;
}

/** An accepted generation. `status`, `completedAt` and `usage` follow the clock: read them, don't cache. */
export interface LedgerGeneration {
  readonly id: string;
  readonly model: string;
  readonly input: Record<string, unknown>;
  /** The fields exactly as the client sent them (multipart text read as numbers and booleans; files apart). */
  readonly sent: Record<string, unknown>;
  readonly prompt: string;
  readonly status: string;
  readonly createdAt: number;
  readonly completedAt: number | null;
  readonly usage: LedgerUsage;
  readonly uploads: LedgerUpload[];
  /** Filled as each image is first rendered (on its first download), ordered by index. */
  readonly images: LedgerImage[];
}

export type FaultName =
  | 'rateLimit429'
  | 'create5xx'
  | 'poll5xx'
  | 'failRate'
  | 'rejectRate'
  | 'rejectPattern'
  | 'failPattern'
  | 'dropResponse'
  | 'sseDrop'
  | 'linkExpired'
  | 'downloadFailOnce'
  | 'truncate'
  | 'concurrencyCap'
  | 'credits'
  | 'acceptThen5xx'
  | 'remoteCancel';

/**
 * Status keys of `requests`: the HTTP status as a string; `dropped` when the socket was closed before any
 * answer; `<status>-cut` when an answer was started but never finished (truncated download, cut stream).
 */
export class SimulatorLedger {
  /** Route (e.g. `POST /v1/generation/{model}`) → status key → count. */
  readonly requests: Record<string, Record<string, number>> = {};
  totalRequests = 0;
  /** How often each fault fired. */
  readonly faults: Partial<Record<FaultName, number>> = {};
  readonly generations: LedgerGeneration[] = [];
  readonly #byId = new Map<string, LedgerGeneration>();

  countRequest(route: string, status: string): void {
    const byStatus = (this.requests[route] ??= {});
    byStatus[status] = (byStatus[status] ?? 0) + 1;
  }

  countFault(name: FaultName): void {
    this.faults[name] = (this.faults[name] ?? 0) + 1;
  }

  addGeneration(generation: LedgerGeneration): void {
    this.generations.push(generation);
    this.#byId.set(generation.id, generation);
  }

  generation(id: string): LedgerGeneration | undefined {
    return this.#byId.get(id);
  }

  /** Requests seen on `route`, with one status key or all of them. */
  requestCount(route: string, status?: string | number): number {
    const byStatus = this.requests[route] ?? {};
    if (status !== undefined) return byStatus[String(status)] ?? 0;
    return Object.values(byStatus).reduce((sum, n) => sum + n, 0);
  }

  /** How many generations were accepted per prompt text (a client that never pays twice keeps these at 1). */
  acceptedByPrompt(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const g of this.generations) counts[g.prompt] = (counts[g.prompt] ?? 0) + 1;
    return counts;
  }

  /** sha256 of the image bytes served for a generation so far, by index (the same on every download). */
  servedSha256(id: string): string[] {
    return (this.#byId.get(id)?.images ?? []).map((image) => image.sha256);
  }

  toJSON(): unknown {
    return {
      requests: this.requests,
      totalRequests: this.totalRequests,
      faults: this.faults,
      generations: this.generations,
    };
  }
}
