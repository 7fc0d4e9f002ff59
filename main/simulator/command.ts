// `qwen-studio simulator`: start, say where and with which faults, run until SIGINT/SIGTERM, close.
import { describeFaults, parseSimulatorArgs, SIMULATOR_USAGE } from './args.ts';
import { startSimulator } from './server.ts';

export async function runSimulatorCommand(argv: string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(SIMULATOR_USAGE);
    return;
  }
  const { verbose, ...options } = parseSimulatorArgs(argv);
  const simulator = await startSimulator({
    ...options,
    log: verbose ? (line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`) : undefined,
  });
  const auth = options.apiKeys ? `${options.apiKeys.length} accepted key(s)` : 'any non-empty Bearer token';
  process.stdout.write(`Simulator listening on ${simulator.url}\n`);
  process.stdout.write(
    `${describeFaults(options.faults)}; auth: ${auth}; ledger: ${simulator.url.replace(/\/api$/, '')}/__sim/ledger\n`,
  );

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  process.stdout.write(
    `Simulator stopping (${signal}) after ${simulator.ledger.totalRequests} request(s).\n`,
  );
  await simulator.close();
}
