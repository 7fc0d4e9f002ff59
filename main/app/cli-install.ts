// macOS's "Install Command Line Tool…": writes /usr/local/bin/qwen-studio, a two-line script that runs this
// app's executable with the same arguments (the executable is the command line, see cli-mode.ts). Where the
// folder needs an administrator, macOS asks for the password, as for other apps' command line tools.
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

export const CLI_TOOL_PATH = '/usr/local/bin/qwen-studio';

/** A POSIX shell word that stays one word whatever the text holds. */
function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** The script: `exec "<the app's executable>" "$@"`. */
export function launcherScript(executable: string): string {
  return (
    '#!/bin/sh\n' +
    '# Installed by Qwen Studio: its executable is also the qwen-studio command line.\n' +
    `exec ${shellQuote(executable)} "$@"\n`
  );
}

/**
 * Writes the launcher at `target`; when that needs an administrator (EACCES/EPERM), copies it there through
 * `osascript … with administrator privileges`, which shows macOS's own password prompt.
 */
export async function installCommandLineTool(executable: string, target = CLI_TOOL_PATH): Promise<void> {
  const script = launcherScript(executable);
  try {
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, script, { mode: 0o755 });
    return;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EACCES' && code !== 'EPERM') throw err;
  }
  const staged = join(tmpdir(), `qwen-studio-launcher-${process.pid}`);
  await writeFile(staged, script, { mode: 0o755 });
  const command = `mkdir -p ${shellQuote(dirname(target))} && cp ${shellQuote(staged)} ${shellQuote(target)} && chmod 755 ${shellQuote(target)}`;
  const appleScript = `do shell script "${command.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}" with administrator privileges`;
  await promisify(execFile)('osascript', ['-e', appleScript]);
}
