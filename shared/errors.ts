// One error model for every front door. Each failure the engine reports carries one of these stable codes;
// this table says what each transport makes of it: the CLI's exit code (README, "Exit codes"), the HTTP
// status of the browser bridge and of an IPC reply (4xx: the person can fix it; 5xx: only our bugs and the
// service's own failures), and the advice shown when the message alone does not say what to do.
// The renderer reads the same table, so it can branch on `code` instead of on message text.

/** The CLI's exit codes, as README documents them. */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  paused: 3,
  /** The service stayed unreachable longer than --offline-timeout. */
  offline: 4,
  interrupted: 130,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

interface ErrorKind {
  /** Exit code of the CLI when a command ends with this error. */
  exit: ExitCode;
  /** HTTP status of the bridge's answer (and the status recorded with an IPC reply). */
  status: number;
  /** What to do about it, for a message that does not say so itself. */
  advice: string;
}

export const ERROR_KINDS = {
  // ── the person's input ─────────────────────────────────────────────────────────────────────────────
  /** A command line that cannot be read: unknown command or flag, a missing or malformed argument. */
  USAGE: { exit: EXIT.usage, status: 400, advice: 'See qwen-studio --help.' },
  /** A value outside what the operation accepts (the contract's schema, a setting, a rating…). */
  INVALID_INPUT: { exit: EXIT.usage, status: 400, advice: 'Correct the value and try again.' },
  /** A number over one of the documented maximums (batch size, search page, references…). */
  OVER_LIMIT: { exit: EXIT.usage, status: 400, advice: 'Ask for less at a time.' },
  /** A prompt file (txt/csv/jsonl) that cannot be read or has a bad row. */
  INPUT_FILE: { exit: EXIT.usage, status: 400, advice: 'Fix the file at the place named and run again.' },
  /** A `{a|b}` template that does not parse. */
  TEMPLATE: { exit: EXIT.usage, status: 400, advice: 'Fix the template at the column named.' },
  /** A batch that cannot be planned (too many generations, contradictory parameters). */
  PLAN: { exit: EXIT.usage, status: 400, advice: 'Change the batch and try again.' },
  /** A reference image that is missing, too large or not an image. */
  REFERENCE: { exit: EXIT.usage, status: 400, advice: 'Choose another reference image.' },
  /** A path that is not usable for what was asked (relative, a file instead of a folder…). */
  BAD_PATH: { exit: EXIT.usage, status: 400, advice: 'Give a full path to a place you can write to.' },
  /** The operation would replace something that exists (an export's zip or files). */
  ALREADY_EXISTS: { exit: EXIT.usage, status: 409, advice: 'Choose another name, or delete it first.' },
  /** A batch, job, image, collection, tag, saved search or undo number that does not exist. */
  NOT_FOUND: {
    exit: EXIT.usage,
    status: 404,
    advice: 'Check the number or name (it may have been deleted).',
  },
  /** A selection or query that matches nothing where something is needed. */
  NOTHING_SELECTED: { exit: EXIT.usage, status: 400, advice: 'Change the query or the selection.' },
  /** The thing is not in a state that allows this (retrying a finished job, undoing twice…). */
  CONFLICT: { exit: EXIT.usage, status: 409, advice: 'Refresh and look at its current state.' },
  /** The data folder's queue is run by another process (app or CLI). */
  LEASE_BUSY: {
    exit: EXIT.usage,
    status: 409,
    advice: 'Close the other Qwen Studio, or use another --data-dir.',
  },
  /** The database was written by a newer build, or does not match this build's migrations. */
  DATABASE_VERSION: {
    exit: EXIT.usage,
    status: 409,
    advice: 'Update Qwen Studio, or point --data-dir at another folder.',
  },
  /** The catalog (studio.db) is damaged: restore a backup or rebuild it from the images. */
  CATALOG_DAMAGED: {
    exit: EXIT.usage,
    status: 409,
    advice: 'Run `qwen-studio db restore`, or `qwen-studio library rebuild`.',
  },
  /** A catalog backup or restore that cannot be done as asked. */
  CATALOG_BACKUP: { exit: EXIT.usage, status: 409, advice: 'See `qwen-studio db --help`.' },
  /** `library rebuild` refused (the catalog is in use or not empty). */
  REBUILD_REFUSED: { exit: EXIT.usage, status: 409, advice: 'See `qwen-studio library rebuild --help`.' },
  /** No API key is set where one is needed. */
  NO_API_KEY: {
    exit: EXIT.paused,
    status: 400,
    advice: 'Set QWEN_STUDIO_API_KEY (or SKILLS_VIDEO_API_KEY) to the key from your skills.video dashboard.',
  },
  /** This build or transport cannot do it (the simulator is not bundled, no file dialog in a browser…). */
  NOT_AVAILABLE: { exit: EXIT.usage, status: 400, advice: 'Use another way to do it.' },
  /** The call named an operation the contract does not have. */
  UNKNOWN_METHOD: {
    exit: EXIT.usage,
    status: 404,
    advice: 'Update the page: it does not match this engine.',
  },
  /** The caller is not allowed (a missing bridge token, a page that is not ours). */
  UNAUTHORIZED: { exit: EXIT.usage, status: 401, advice: 'Open the full link printed by `npm run web`.' },
  FORBIDDEN: { exit: EXIT.usage, status: 403, advice: 'Only Qwen Studio’s own page may call the engine.' },
  /** A request the bridge does not take: another HTTP method, a body that is not JSON. */
  METHOD_NOT_ALLOWED: { exit: EXIT.usage, status: 405, advice: 'Calls are POST requests.' },
  UNSUPPORTED_MEDIA_TYPE: { exit: EXIT.usage, status: 415, advice: 'Send a JSON body.' },
  /** A request body too large for the transport. */
  TOO_LARGE: { exit: EXIT.usage, status: 413, advice: 'Send a smaller file.' },
  /** The person stopped it (Ctrl+C, Cancel). */
  CANCELED: { exit: EXIT.interrupted, status: 409, advice: 'Start it again when you are ready.' },

  // ── not the person's input ─────────────────────────────────────────────────────────────────────────
  /** Our own storage failed (disk full, no permission, I/O error). */
  STORAGE: {
    exit: EXIT.failed,
    status: 507,
    advice: 'Free some disk space or choose a folder you can write to.',
  },
  /** The page lost its engine (the browser bridge stopped). */
  OFFLINE: {
    exit: EXIT.failed,
    status: 503,
    advice: 'Start it again (`npm run web`) and reload the page.',
  },
  /** The service (skills.video) failed or could not be reached. */
  SERVICE: {
    exit: EXIT.failed,
    status: 502,
    advice: 'Check the connection and the service address, then retry.',
  },
  /** A bug in Qwen Studio: the message is generic, the details (stack included) are in the log. */
  INTERNAL: {
    exit: EXIT.failed,
    status: 500,
    advice: 'This is a bug in Qwen Studio; logs/studio.log in the data folder has the details.',
  },
} as const satisfies Record<string, ErrorKind>;

export type ErrorCode = keyof typeof ERROR_KINDS;
export const ERROR_CODES = Object.keys(ERROR_KINDS) as ErrorCode[];

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_KINDS, code);
}

/** Whether the person can fix it themselves (a 4xx), as opposed to our bug or an outside failure (5xx). */
export function isUserMistake(code: ErrorCode): boolean {
  return ERROR_KINDS[code].status < 500;
}

/** How a failed call travels: the code and the sentence a person reads, never a stack. */
export interface ErrorReply {
  error: { code: ErrorCode; message: string };
}

/**
 * The one error type of every front door: a stable code from the table above and a message a person can
 * act on. Subclasses exist only where they carry data (the file and line of a bad CSV row, the holder of
 * the data folder's lock…). Defined here, with its table, so shared parsers can throw it too.
 */
export class StudioError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StudioError';
    this.code = code;
  }

  get exitCode(): ExitCode {
    return ERROR_KINDS[this.code].exit;
  }

  /** The HTTP status a transport answers with (the bridge; IPC replies carry the code). */
  get httpStatus(): number {
    return ERROR_KINDS[this.code].status;
  }

  /** The person can fix it (4xx); otherwise it is our bug or an outside failure and goes to the log. */
  get isUserMistake(): boolean {
    return isUserMistake(this.code);
  }
}
