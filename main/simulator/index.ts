// The local stand-in for the skills.video API: tests, benchmarks and the UI's "try without a key" mode.
export { startSimulator, type Simulator } from './server.ts';
export { parseSimulatorArgs, describeFaults, SIMULATOR_USAGE } from './args.ts';
export { runSimulatorCommand } from './command.ts';
export { DEFAULT_FAULTS, CHAOS_FAULTS, type SimulatorFaults, type SimulatorOptions } from './options.ts';
export {
  SimulatorLedger,
  type LedgerGeneration,
  type LedgerImage,
  type LedgerUpload,
  type LedgerUsage,
  type FaultName,
} from './ledger.ts';
