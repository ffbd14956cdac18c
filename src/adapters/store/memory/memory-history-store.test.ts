import { runHistoryStoreContract } from '../../../../test/contracts/history-store.contract.js';
import { createMemoryHistoryStore } from './memory-history-store.js';

runHistoryStoreContract('memory', () => Promise.resolve(createMemoryHistoryStore()));
