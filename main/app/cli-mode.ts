// The packaged app's executable doubles as the `qwen-studio` command: started with a command-line command
// (`qwen-studio status`, `"Qwen Studio" run prompts.txt`, `--help`, `--version`) it runs the same CLI code
// as the npm package, before any window or single-instance lock, and exits with the CLI's exit code.
// Started any other way (no arguments, Chromium switches, a file the desktop opened it with, macOS's
// -psn_… argument) it is the desktop app. Electron-free, so the dispatch is tested in Node with a stand-in.

/** What the dispatch needs of Electron and the process. */
export interface CliHost {
  /** process.argv */
  argv: readonly string[];
  /** process.defaultApp: started as `electron <folder>`, so argv[1] is the app's folder, not an argument. */
  defaultApp: boolean;
  /** app.exit: ends the process with this code once the command is done. */
  exit(code: number): void;
  /** Before the command runs: no Dock icon on macOS, no GPU process. */
  prepare?(): void;
}

const CLI_FLAGS = new Set(['--help', '-h', '--version', '-v']);

/** The CLI arguments in `argv`, or null when the executable was started as the desktop app. */
export function cliArgsOf(
  argv: readonly string[],
  defaultApp: boolean,
  commands: Iterable<string>,
): string[] | null {
  const args = argv.slice(defaultApp ? 2 : 1);
  const first = args[0];
  if (first === undefined) return null;
  if (CLI_FLAGS.has(first) || new Set(commands).has(first)) return args;
  return null;
}

/**
 * Runs the command line when `host.argv` asks for it, then calls `host.exit` with its exit code; returns null
 * (having done nothing) when the executable should start as the desktop app.
 */
export function runCliIfAsked(
  host: CliHost,
  commands: Iterable<string>,
  run: (args: string[]) => Promise<number>,
): Promise<void> | null {
  const args = cliArgsOf(host.argv, host.defaultApp, commands);
  if (!args) return null;
  host.prepare?.();
  return run(args).then(
    (code) => host.exit(code),
    (err: unknown) => {
      // main() reports every error itself; this is only the last guard that the process still ends.
      console.error(err);
      host.exit(1);
    },
  );
}
