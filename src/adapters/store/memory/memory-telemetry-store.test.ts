import { runTelemetryStoreContract } from '../../../../test/contracts/telemetry-store.contract.js';
import { createMemoryTelemetryStore } from './memory-telemetry-store.js';

runTelemetryStoreContract('memory', () => Promise.resolve(createMemoryTelemetryStore()));
