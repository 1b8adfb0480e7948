// Run by bench/run.ts in a fresh process: opens an existing SQLite file and times the first check.
import { Allot } from '../src/index.js';
import { sqliteStore } from '../src/stores/sqlite/index.js';
import { catalog } from './catalog.js';

const filename = process.argv[2];
if (filename === undefined) throw new Error('usage: cold-start.ts <file.db>');
const begin = performance.now();
const allot = Allot.initialize({ catalog, store: sqliteStore({ filename }) });
const check = await allot.getMeteredEntitlement({ customerId: 'c77777', featureId: 'api-calls' });
const end = performance.now();
if (!check.hasAccess) throw new Error(`unexpected denial: ${check.accessDeniedReason}`);
await allot.close();
console.log(JSON.stringify({ fromProcessStart: end, fromInitialize: end - begin }));
