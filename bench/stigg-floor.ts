// The Stigg Node SDK's warm cache as a floor for allot's warm getMeteredEntitlement: the same
// question (may this customer use 1 more unit of a metered feature?) answered from process memory.
//
// The SDK is installed on demand into bench/.stigg/ (git-ignored, outside the package's
// dependencies) and loaded from there. No request leaves the process:
// - Stigg.initialize runs with its defaults (in-memory cache, realtime updates on) except a logger that
//   keeps errors, enableRemoteConfig: false (that request only checks the API key) and unreachable
//   local URLs, so a stray request would fail fast.
// - Its EntitlementsApi is stubbed: the four real-time subscriptions return subscriptions that never
//   emit, and getEntitlements returns a canned edge-API response (a metered 'api-calls' entitlement,
//   limit 1,000,000, usage 42, this month's period, and a boolean 'sso') in place of the server.
//   Stigg.initialize therefore runs its own realtime init(), which marks the cache trusted: the state
//   of a production SDK whose websocket is up.
// - Each customer is primed by one getMeteredEntitlement: a cache miss, so the SDK refetches (the
//   stub), maps the response with its CacheMapper and stores it with InMemoryCacheService.setCustomer,
//   the path a real miss takes. Every later call is a hit in that LRU cache: Stigg.getMeteredEntitlement
//   -> ApiErrorHandler -> EntitlementsService.getMeteredEntitlement -> InMemoryCacheService lookup ->
//   usage-period check -> EntitlementDecisionService -> ModelMapper.
// The timed run fails loudly if any call missed the cache, refetched, reported a network failure or
// logged an error; the primed answer (usage 42 of 1,000,000, isFallback false, and a refusal for a
// request over the limit) is checked first.
//
// Pinned to 3.95.0: the newest release whose dependencies all resolve from the npm registry this
// bench is run against (4.x needs @stigg/sdk-core and @stigg/api-client-js@6.x, which it lacks).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { randomOrder, sampleLatency } from './timing.js';

export const STIGG_SDK_VERSION = '3.95.0';
const PACKAGE = '@stigg/node-server-sdk';
const DIR = fileURLToPath(new URL('./.stigg/', import.meta.url));
const CUSTOMERS = 1000;
const FEATURE = 'api-calls';
const LIMIT = 1_000_000;
const USAGE = 42;

export type StiggWarmCheck = { nsPerOp: number; p50Ns: number; p99Ns: number; version: string } | { skipped: string };

/** The parts of the SDK this bench touches (its types are not resolvable from the package). */
interface MeteredEntitlement {
  type: string;
  isFallback: boolean;
  hasAccess: boolean;
  accessDeniedReason?: string;
  usageLimit?: number;
  currentUsage: number;
}
interface StiggClient {
  waitForInitialization(): Promise<unknown>;
  getMeteredEntitlement(params: {
    customerId: string;
    featureId: string;
    options?: { requestedUsage?: number };
  }): Promise<MeteredEntitlement>;
  addListener(event: string, listener: (...args: unknown[]) => void): void;
  removeListener(event: string, listener: (...args: unknown[]) => void): void;
  close(): void;
}
interface StiggModule {
  Stigg: { initialize(configuration: Record<string, unknown>): StiggClient };
}
type Patchable = Record<string, unknown>;
interface EntitlementsApiModule {
  default: { prototype: Patchable };
}

function installedVersion(): string | undefined {
  try {
    const pkg = JSON.parse(readFileSync(join(DIR, 'node_modules', PACKAGE, 'package.json'), 'utf8')) as {
      version?: string;
    };
    return pkg.version;
  } catch {
    return undefined;
  }
}

/** Installs the pinned SDK into bench/.stigg/ unless it is there: undefined, or why it could not. */
function ensureInstalled(): string | undefined {
  if (installedVersion() === STIGG_SDK_VERSION) return undefined;
  mkdirSync(DIR, { recursive: true });
  const manifest = join(DIR, 'package.json');
  if (!existsSync(manifest)) writeFileSync(manifest, '{ "name": "allot-bench-stigg", "private": true }\n');
  const args = ['install', '--prefix', DIR, '--no-save', '--no-audit', '--no-fund', '--ignore-scripts'];
  const r = spawnSync('npm', [...args, '--loglevel=error', `${PACKAGE}@${STIGG_SDK_VERSION}`], {
    encoding: 'utf8',
    timeout: 300_000,
    shell: process.platform === 'win32',
  });
  if (r.error) return `npm install ${PACKAGE}@${STIGG_SDK_VERSION}: ${r.error.message}`;
  if (r.status !== 0) {
    const lines = r.stderr.trim().split('\n');
    const why = lines.find((l) => l.includes('error')) ?? `exit ${r.status}`;
    return `npm install ${PACKAGE}@${STIGG_SDK_VERSION} failed: ${why}`;
  }
  const v = installedVersion();
  return v === STIGG_SDK_VERSION ? undefined : `npm install left ${PACKAGE}@${v ?? 'nothing'} in ${DIR}`;
}

/**
 * Keeps the SDK's error lines. A class, not a plain object: the SDK lodash-merges its configuration
 * into its defaults, whose logger is `console`, so a plain-object logger would overwrite console's methods.
 */
class ErrorLog {
  readonly errors: string[] = [];
  log(): void {}
  debug(): void {}
  error(message: string): void {
    this.errors.push(message);
  }
}

/** The edge API's answer for one customer, as EdgeApiClient.getEntitlements would return it. */
function entitlementsResponse(customerId: string) {
  const now = new Date();
  const start = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
  const end = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1);
  const updatedAt = new Date(start).toISOString();
  const common = {
    __typename: 'Entitlement',
    isGranted: true,
    accessDeniedReason: null,
    customerId,
    resourceId: null,
    requestedUsage: null,
    requestedValues: null,
    enumValues: null,
    entitlementUpdatedAt: updatedAt,
    creditRate: null,
    validUntil: null,
    resetPeriodConfiguration: null,
  };
  return {
    data: {
      entitlements: [
        {
          ...common,
          usageLimit: LIMIT,
          hasUnlimitedUsage: false,
          hasSoftLimit: false,
          currentUsage: USAGE,
          usageUpdatedAt: updatedAt,
          usagePeriodAnchor: new Date(start).toISOString(),
          usagePeriodStart: new Date(start).toISOString(),
          usagePeriodEnd: new Date(end).toISOString(),
          nextResetDate: new Date(end).toISOString(),
          resetPeriod: 'MONTH',
          feature: {
            __typename: 'EntitlementFeature',
            refId: FEATURE,
            featureType: 'NUMBER',
            meterType: 'Incremental',
            featureUnits: 'call',
            featureUnitsPlural: 'calls',
          },
        },
        {
          ...common,
          usageLimit: null,
          hasUnlimitedUsage: false,
          hasSoftLimit: false,
          currentUsage: null,
          usageUpdatedAt: null,
          usagePeriodAnchor: null,
          usagePeriodStart: null,
          usagePeriodEnd: null,
          nextResetDate: null,
          resetPeriod: null,
          feature: { __typename: 'EntitlementFeature', refId: 'sso', featureType: 'BOOLEAN', meterType: 'None' },
        },
      ],
    },
  };
}

/**
 * The Stigg SDK's warm getMeteredEntitlement over 1,000 customers in random order, measured like
 * bench/run.ts's `latency` (a warm-up, then `n` calls each timed with hrtime). Skips when the SDK
 * cannot be installed; throws if a timed call was not answered from its cache.
 */
export async function stiggWarmCheck(n: number): Promise<StiggWarmCheck> {
  const notInstalled = ensureInstalled();
  if (notInstalled) return { skipped: notInstalled };
  let sdk: StiggModule;
  let api: EntitlementsApiModule;
  try {
    const require = createRequire(join(DIR, 'package.json'));
    sdk = require(PACKAGE) as StiggModule;
    api = require(`${PACKAGE}/dist/api/entitlements/entitlementsApi`) as EntitlementsApiModule;
  } catch (err) {
    return { skipped: `loading ${PACKAGE} from ${DIR}: ${(err as Error).message}` };
  }

  const proto = api.default.prototype;
  const stubbed = [
    'getEntitlements',
    'subscribeEntitlementsUpdated',
    'subscribeUsageUpdated',
    'subscribePackagePublished',
    'subscribeCreditBalanceUpdated',
  ] as const;
  const originals = new Map(stubbed.map((m) => [m, proto[m]]));
  let fetches = 0;
  const silent = () => ({ subscribe: () => ({ unsubscribe() {} }) });
  proto.getEntitlements = async (customerId: string) => {
    fetches++;
    return entitlementsResponse(customerId);
  };
  for (const m of stubbed) if (m !== 'getEntitlements') proto[m] = silent;

  const logger = new ErrorLog();
  const errors = logger.errors;
  let misses = 0;
  let failedRequests = 0;
  const onMiss = () => misses++;
  const onFailed = () => failedRequests++;
  let stigg: StiggClient | undefined;
  try {
    stigg = sdk.Stigg.initialize({
      apiKey: 'server-allot-bench',
      baseUri: 'http://127.0.0.1:9',
      enableRemoteConfig: false,
      logConfiguration: { logger, logLevel: 'ERROR' },
    });
    await stigg.waitForInitialization();
    const client = stigg;
    stigg.addListener('cacheMiss', onMiss);
    stigg.addListener('networkRequestFailed', onFailed);

    const ids = Array.from({ length: CUSTOMERS }, (_, i) => `c${i}`);
    for (const customerId of ids)
      await client.getMeteredEntitlement({ customerId, featureId: FEATURE, options: { requestedUsage: 1 } });
    if (fetches !== CUSTOMERS || misses !== CUSTOMERS)
      throw new Error(`priming fetched ${fetches} times with ${misses} misses for ${CUSTOMERS} customers`);

    const check = async (requestedUsage: number) =>
      client.getMeteredEntitlement({ customerId: 'c0', featureId: FEATURE, options: { requestedUsage } });
    const granted = await check(1);
    const refused = await check(LIMIT);
    if (
      granted.type !== 'METERED' ||
      granted.isFallback ||
      !granted.hasAccess ||
      granted.usageLimit !== LIMIT ||
      granted.currentUsage !== USAGE ||
      refused.isFallback ||
      refused.hasAccess ||
      refused.accessDeniedReason !== 'RequestedUsageExceedingLimit'
    )
      throw new Error(`not the primed answer: ${JSON.stringify({ granted, refused })}`);

    const order = randomOrder(CUSTOMERS, n);
    const op = (i: number) =>
      client.getMeteredEntitlement({
        customerId: ids[order[i] ?? 0] ?? 'c0',
        featureId: FEATURE,
        options: { requestedUsage: 1 },
      });
    const before = { fetches, misses };
    const timed = await sampleLatency(n, op);
    if (fetches !== before.fetches || misses !== before.misses || failedRequests > 0 || errors.length > 0)
      throw new Error(
        `timed calls left the cache: ${fetches - before.fetches} refetches, ${misses - before.misses} misses, ` +
          `${failedRequests} failed requests, errors: ${errors.slice(0, 3).join('; ')}`,
      );
    return {
      ...timed,
      version: installedVersion() ?? STIGG_SDK_VERSION,
    };
  } finally {
    stigg?.removeListener('cacheMiss', onMiss);
    stigg?.removeListener('networkRequestFailed', onFailed);
    stigg?.close();
    for (const [m, f] of originals) proto[m] = f;
  }
}

// `npx tsx bench/stigg-floor.ts [n]` prints the floor alone.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const n = Number(process.argv[2] ?? 200_000);
  const r = await stiggWarmCheck(n);
  if ('skipped' in r) console.log(`Stigg SDK warm getMeteredEntitlement: skipped (${r.skipped})`);
  else
    console.log(
      `Stigg SDK ${r.version} warm getMeteredEntitlement, ${CUSTOMERS} customers: ${r.nsPerOp.toFixed(0)} ns/op  ` +
        `p50 ${r.p50Ns.toFixed(0)} ns  p99 ${r.p99Ns.toFixed(0)} ns`,
    );
}
