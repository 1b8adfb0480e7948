// The `allot` executable (package.json `bin`), built by tsup as an entry of its own: the
// library never imports anything under src/cli.
import manifest from '../../package.json' with { type: 'json' };
import { processIo } from './io.js';
import { run } from './run.js';

// A reader that stops early (`allot export | head`) closes the pipe: nothing left to say to it.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});
process.exitCode = await run(process.argv.slice(2), processIo(), manifest.version);
