#!/usr/bin/env node
// The `allot` command (package.json `bin`). A package runs the command line it ships, built into
// dist/cli.js; a checkout of the repository that was never built runs its TypeScript source
// through tsx, a devDependency, so `npx allot` works right after `npm install`.
import { existsSync } from 'node:fs';

const built = new URL('../dist/cli.js', import.meta.url);
if (existsSync(built)) await import(built.href);
else {
  let tsx;
  try {
    tsx = await import('tsx/esm/api');
  } catch {
    process.stderr.write('allot: the command line is not built: run npm run build\n');
    process.exit(1);
  }
  tsx.register();
  await import(new URL('../src/cli/main.ts', import.meta.url).href);
}
