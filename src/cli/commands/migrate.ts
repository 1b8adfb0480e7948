import { AllotError, type Catalog, type SubscriptionRecord } from '../../index.js';
import type { CommandSpec } from '../command.js';
import { fields } from '../output.js';
import { progressBar } from '../progress.js';

const PAGE = 500;

/** Whether an open subscription is on an older version of a plan or add-on the catalog still has. */
function outdated(catalog: Catalog, s: SubscriptionRecord, now: number): boolean {
  if (s.endDate !== null && s.endDate <= now) return false;
  const plan = catalog.plans.get(s.planId);
  if (plan === undefined) return false;
  return (
    plan.version !== s.planVersion ||
    s.addons.some((a) => {
      const addon = catalog.addons.get(a.addonId);
      return addon !== undefined && addon.version !== a.version;
    })
  );
}

export const migrate: CommandSpec = {
  name: 'migrate',
  summary: "bring the store's tables up to date; with --subscriptions, move subscriptions to the latest versions",
  description: [
    'Opening the store applies the migrations its tables lack. Subscriptions on an older version of a plan or',
    'add-on (grandfathered: the catalog changed since they subscribed) are counted; --subscriptions moves each',
    'open one to the latest versions of the catalog stored there, keeping its usage, as catalogMigration',
    "'ALL_CUSTOMERS' would at the app's next start. One that cannot move (an add-on the new plan no longer",
    'allows) keeps its version and is listed.',
  ].join('\n'),
  options: {
    subscriptions: { type: 'boolean', description: 'move every outdated open subscription to the latest versions' },
  },
  store: 'write',
  examples: ['allot migrate --db allot.db', 'allot migrate --subscriptions --postgres "$DATABASE_URL"'],
  async run({ options, io, store, allot }) {
    const target = await store();
    const engine = await allot();
    const move = options.subscriptions === true;
    const total = await target.read((r) => r.countSubscriptions({}));
    const bar = progressBar(io, move ? 'migrating' : 'counting', 'subscriptions');
    const failed: { subscriptionId: string; code: string; message: string }[] = [];
    let outdatedCount = 0;
    let migrated = 0;
    let scanned = 0;
    try {
      for (let afterId: string | undefined; ; ) {
        const page = await target.read((r) => r.listSubscriptions({ limit: PAGE, ...(afterId ? { afterId } : {}) }));
        for (const s of page) {
          scanned += 1;
          if (outdated(engine.catalog, s, Date.now())) {
            outdatedCount += 1;
            if (move)
              await engine.migrateSubscriptionToLatest({ subscriptionId: s.id }).then(
                () => {
                  migrated += 1;
                },
                (e: unknown) => {
                  if (!AllotError.is(e)) throw e;
                  failed.push({ subscriptionId: s.id, code: e.code, message: e.message.replace(/^\[allot\] /, '') });
                },
              );
          }
          bar.update(scanned, total);
        }
        const last = page.at(-1);
        if (last === undefined || page.length < PAGE) break;
        afterId = last.id;
      }
    } finally {
      bar.end();
    }
    const result = { store: target.name, subscriptions: scanned, outdated: outdatedCount, migrated, failed };
    const hint = !move && outdatedCount > 0 ? '\n--subscriptions moves them to the latest versions\n' : '';
    const text = fields([
      ['store', `${target.name}: tables up to date`],
      ['subscriptions', scanned],
      ['on older versions', outdatedCount],
      ['migrated', move ? migrated : undefined],
      ...failed.map((f): [string, unknown] => [`kept ${f.subscriptionId}`, f.message]),
    ]);
    return { json: result, text: text + hint };
  },
};
