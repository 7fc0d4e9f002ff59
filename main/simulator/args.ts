// The simulator's command line: one flag per option and per fault, `--chaos` for all faults at once.
import {
  CHAOS_FAULTS,
  DEFAULT_FAULTS,
  checkFaultsPatch,
  type SimulatorFaults,
  type SimulatorOptions,
} from './options.ts';

type Kind = 'probability' | 'number' | 'nullableNumber' | 'pattern';

/** Fault flags: name → [field, kind]. Nullable numbers also take `none`. */
const FAULT_FLAGS: Record<string, [keyof SimulatorFaults, Kind]> = {
  '--rate-limit': ['rateLimit429', 'probability'],
  '--retry-after': ['retryAfterSeconds', 'nullableNumber'],
  '--create-5xx': ['create5xx', 'probability'],
  '--poll-5xx': ['poll5xx', 'probability'],
  '--fail-rate': ['failRate', 'probability'],
  '--reject-rate': ['rejectRate', 'probability'],
  '--reject-pattern': ['rejectPattern', 'pattern'],
  '--fail-pattern': ['failPattern', 'pattern'],
  '--drop-response': ['dropResponse', 'probability'],
  '--sse-drop': ['sseDrop', 'probability'],
  '--link-ttl-ms': ['linkTtlMs', 'nullableNumber'],
  '--download-fail-once': ['downloadFailOnce', 'probability'],
  '--truncate': ['truncate', 'probability'],
  '--concurrency-cap': ['concurrencyCap', 'nullableNumber'],
  '--latency-ms': ['latencyMs', 'number'],
  '--jitter-ms': ['jitterMs', 'number'],
  '--http-delay-ms': ['httpDelayMs', 'number'],
  '--credits': ['credits', 'nullableNumber'],
  '--accept-then-5xx': ['acceptThen5xx', 'probability'],
  '--remote-cancel': ['remoteCancel', 'probability'],
};

/** Switches without a value: name → [field, the value it sets]. */
const SWITCH_FLAGS: Record<string, [keyof SimulatorFaults, boolean]> = {
  '--legacy-statuses': ['legacyStatuses', true],
  '--usage-in-create': ['usageInCreate', true],
  '--no-keep-alive': ['sseKeepAlive', false],
};

export const SIMULATOR_USAGE = `Usage: qwen-studio simulator [options]

Runs a local stand-in for the skills.video API. Point the studio's API base at the URL it prints.

Server:
  --port N               port to listen on (default 0 = any free port)
  --host HOST            address to listen on (default 127.0.0.1; only give another one on purpose)
  --key KEY              accept only this API key (repeatable; default: any non-empty Bearer token)
  --forbidden-key KEY    answer 403 to this key (repeatable)
  --seed N               seed of the fault sequence (default 1)
  --max-image-side N     longest side of rendered images (default 1024)
  --credits-per-image N  credits per image for every model (default 20; 40 for qwen-image-2-pro)
  --verbose              log every request

Faults (probabilities are 0..1; "none" turns a nullable one off):
  --rate-limit P         creates answer 429 RATE_LIMITED
  --retry-after S|none   Retry-After seconds on 429s (default 1; none omits the header)
  --create-5xx P         creates answer 500 / 503
  --poll-5xx P           polls answer 502 / 503 / 504
  --fail-rate P          accepted generations end FAILED
  --reject-rate P        creates answer 422 CONTENT_REJECTED
  --reject-pattern RE    prompts matching RE are always rejected (422)
  --fail-pattern RE      prompts matching RE always end FAILED
  --drop-response P      creates are accepted but the connection is cut before the answer
  --sse-drop P           SSE streams are cut before the terminal frame
  --link-ttl-ms N|none   result URLs expire after N ms (403); polling again gives fresh ones
  --download-fail-once P the first fetch of a result URL answers 500
  --truncate P           downloads are cut half way
  --concurrency-cap N|none  at most N unfinished generations per key (more → 429)
  --latency-ms N         generation time (default 1500)
  --jitter-ms N          ± jitter on the generation time (default 500)
  --http-delay-ms N      delay before every API answer (default 0)
  --credits N|none       workspace balance (402 when a create would exceed it)
  --accept-then-5xx P    creates are accepted and billed, then answered by a proxy's HTML 502 page or a
                         504 TIMEOUT (in turn): the generation exists and shows in the running list
  --remote-cancel P      accepted generations are canceled by the service half way (status CANCELED)
  --legacy-statuses      older status names (starting, processing, succeeded, failed, canceled) and no
                         input in create answers
  --usage-in-create      create answers show usage already filled in (the docs' example)
  --no-keep-alive        no keep-alive comments on SSE streams
  --chaos                every fault on at moderate rates (explicit flags still win)
`;

export interface ParsedSimulatorArgs extends SimulatorOptions {
  verbose?: boolean;
}

export function parseSimulatorArgs(argv: string[]): ParsedSimulatorArgs {
  const options: ParsedSimulatorArgs = {};
  const faults: Partial<Record<keyof SimulatorFaults, unknown>> = {};
  let chaos = false;

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const inline = arg.startsWith('--') && eq > 0 ? arg.slice(eq + 1) : undefined;
    const value = (): string => {
      if (inline !== undefined) return inline;
      const next = argv[++i];
      if (next === undefined) throw usageError(`${flag} needs a value`);
      return next;
    };

    if (flag === '--chaos') chaos = true;
    else if (flag === '--verbose') options.verbose = true;
    else if (flag === '--port') options.port = integer(flag, value(), 0, 65535);
    else if (flag === '--host') options.host = value();
    else if (flag === '--key') (options.apiKeys ??= []).push(nonEmpty(flag, value()));
    else if (flag === '--forbidden-key') (options.forbiddenKeys ??= []).push(nonEmpty(flag, value()));
    else if (flag === '--seed') options.seed = integer(flag, value(), 0, 0xffffffff);
    else if (flag === '--max-image-side') options.maxImageSide = integer(flag, value(), 16, 4096);
    else if (flag === '--credits-per-image') options.creditsPerImage = number(flag, value());
    else if (flag in SWITCH_FLAGS) {
      if (inline !== undefined) throw usageError(`${flag} takes no value`);
      const [field, on] = SWITCH_FLAGS[flag]!;
      faults[field] = on;
    } else if (flag in FAULT_FLAGS) {
      const [field, kind] = FAULT_FLAGS[flag]!;
      const raw = value();
      faults[field] =
        kind === 'pattern'
          ? raw
          : kind === 'nullableNumber' && /^(none|null|off)$/i.test(raw)
            ? null
            : number(flag, raw);
    } else throw usageError(`unknown option "${arg}"`);
  }

  let checked: Partial<SimulatorFaults>;
  try {
    checked = checkFaultsPatch(faults);
  } catch (err) {
    throw usageError((err as Error).message);
  }
  const merged = { ...(chaos ? CHAOS_FAULTS : {}), ...checked };
  if (Object.keys(merged).length > 0) options.faults = merged;
  return options;
}

/** One line naming the faults that differ from the defaults, for the command's banner. */
export function describeFaults(faults: Partial<SimulatorFaults> | undefined): string {
  const all = { ...DEFAULT_FAULTS, ...faults };
  const parts = (Object.keys(all) as Array<keyof SimulatorFaults>)
    .filter((field) => all[field] !== DEFAULT_FAULTS[field] && !['latencyMs', 'jitterMs'].includes(field))
    .map((field) => `${field}=${String(all[field])}`);
  const timing = `latency ${all.latencyMs}±${all.jitterMs} ms`;
  return parts.length > 0 ? `faults: ${parts.join(', ')}; ${timing}` : `faults: none; ${timing}`;
}

function number(flag: string, raw: string): number {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value)) throw usageError(`${flag} needs a number (got "${raw}")`);
  return value;
}

function integer(flag: string, raw: string, min: number, max: number): number {
  const value = number(flag, raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw usageError(`${flag} needs a whole number from ${min} to ${max} (got "${raw}")`);
  }
  return value;
}

function nonEmpty(flag: string, raw: string): string {
  if (raw.trim() === '') throw usageError(`${flag} needs a non-empty value`);
  return raw;
}

function usageError(problem: string): Error {
  return new Error(`simulator: ${problem}\n\n${SIMULATOR_USAGE}`);
}
