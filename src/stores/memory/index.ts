/**
 * The memory store: everything in the process, lost on exit; for tests, harnesses and demos.
 *
 * @module allot/stores/memory
 */
export { memoryStore } from './memory-store.js';
