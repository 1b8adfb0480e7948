// Shared fast-check configuration: a fixed seed (overridable with FC_SEED) so failures replay.
import fc from 'fast-check';

export const FC_SEED = Number(process.env.FC_SEED ?? 20261121);
fc.configureGlobal({ seed: FC_SEED, numRuns: 200 });

export { fc };
