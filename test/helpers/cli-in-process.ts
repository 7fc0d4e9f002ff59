// The command line run inside the test's own process (no spawn): exactly these arguments and this
// environment, with what it prints captured line by line.
import { main } from '../../main/cli.ts';
import type { Io } from '../../main/cli/common.ts';

export interface CliOutput {
  code: number;
  out: string;
  err: string;
}

export async function runCliInProcess(args: string[], env: Record<string, string> = {}): Promise<CliOutput> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (l) => out.push(l), err: (l) => err.push(l), isTTY: false, env };
  const code = await main(args, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}
