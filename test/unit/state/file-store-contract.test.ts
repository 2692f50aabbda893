// The StateStore contract, on the state directory.

import { FileStore } from '../../../src/state/file-store.js';
import { tempDir } from '../../support/jobs.js';
import { describeStateStoreContract } from './state-store-contract.js';

describeStateStoreContract('FileStore', () => new FileStore(tempDir('tjob-contract-')));
