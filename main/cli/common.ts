export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  paused: 3,
  interrupted: 130,
} as const;

/** Bad usage or bad input: exit code 2 with a message that says what to fix. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface Io {
  out(line: string): void;
  err(line: string): void;
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
}

export function processIo(): Io {
  return {
    out: (l) => process.stdout.write(`${l}\n`),
    err: (l) => process.stderr.write(`${l}\n`),
    isTTY: Boolean(process.stdout.isTTY),
    env: process.env,
  };
}

export function intOption(name: string, raw: string, min: number, max: number): number {
  const n = Number(raw);
  if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`${name} must be a whole number from ${min} to ${max}; got "${raw}".`);
  }
  return n;
}

export function oneOf<T extends string>(name: string, raw: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(raw)) return raw as T;
  throw new UsageError(`${name} must be one of ${allowed.join(', ')}; got "${raw}".`);
}

export function apiKeyFromEnv(env: NodeJS.ProcessEnv): string | null {
  return env.QWEN_STUDIO_API_KEY?.trim() || env.SKILLS_VIDEO_API_KEY?.trim() || null;
}
