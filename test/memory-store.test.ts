import { memoryStore } from '../src/stores/memory/index.js';
import { describeStoreConformance } from './store-conformance.js';

describeStoreConformance('memory', async () => ({ store: memoryStore() }));
