// The small schemas several input modules share: a resource id, usage dimensions and values, an idempotency key.
import { z } from 'zod';
import { id } from '../model/id-schema.js';

export const resourceId = z.lazy(() => id.nullish());
export const dimensions = z.lazy(() => z.record(z.string(), z.union([z.string(), z.number().finite(), z.boolean()])));
export const idempotencyKey = z.lazy(() => z.string().min(1).max(255));
export const usageValue = () => z.number().min(-1e15).max(1e15);
