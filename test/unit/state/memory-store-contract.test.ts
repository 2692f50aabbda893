// The StateStore contract, on the engine tests' in-memory double: it must behave like the file
// store, or the engine tests that use it prove nothing about tjob.

import { MemoryStore } from '../../support/memory-store.js';
import { describeStateStoreContract } from './state-store-contract.js';

describeStateStoreContract('MemoryStore', () => new MemoryStore());
