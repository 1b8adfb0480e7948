// An integration written for the Stigg Node SDK, as its docs write it. Nothing here changed in the
// move to allot: only stigg-client.ts did.
import stiggClient from './stigg-client.js';

export async function onSignUp(userId: string, email: string) {
  try {
    await stiggClient.waitForInitialization();
  } catch (err) {
    console.error('entitlements are not available', err);
    throw err;
  }
  return stiggClient.provisionCustomer({
    customerId: userId,
    email,
    subscriptionParams: { planId: 'plan-free' },
  });
}

export async function canGenerate(customerId: string, count = 1) {
  const entitlement = await stiggClient.getMeteredEntitlement({
    customerId,
    featureId: 'feature-ai-generations',
    options: { requestedUsage: count },
  });
  return entitlement;
}

export async function recordGenerations(customerId: string, count = 1) {
  return stiggClient.reportUsage({
    customerId,
    featureId: 'feature-ai-generations',
    value: count,
  });
}
