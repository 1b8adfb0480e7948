// `npm run compile-sql`: writes the SQLite store's SQL, compiled from the kysely builders, to
// src/stores/sqlite/sqlite-sql.generated.ts. Run it after changing a query builder or a migration;
// test/sqlite-sql.test.ts fails until then.
import { writeFileSync } from 'node:fs';
import { renderSqliteSql } from '../src/stores/sqlite/sqlite-sql.js';

writeFileSync(new URL('../src/stores/sqlite/sqlite-sql.generated.ts', import.meta.url), renderSqliteSql());
