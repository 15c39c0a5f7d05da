/**
 * A DataLoader batch function in a span when its request is traced (lib/tracing.ts):
 * `dataloader.batch <name>` with the loader's name and the batch's size, a child of the
 * request's span (its trace context, found in the request's store: requestDeadline.ts),
 * and the parent of the backend calls the batch makes. Otherwise the batch function runs
 * as is.
 */
import type DataLoader from 'dataloader';
import { isRecording, withSpan } from '../../../lib/tracing.js';
import { requestTraceContext, runWithTrace } from './requestDeadline.js';

export function tracedBatch<K, V>(name: string, batch: DataLoader.BatchLoadFn<K, V>): DataLoader.BatchLoadFn<K, V> {
  return (keys) => {
    const parent = requestTraceContext();
    if (!isRecording(parent)) return batch(keys);
    const attributes = { 'graph360.dataloader.name': name, 'graph360.dataloader.size': keys.length };
    return withSpan(`dataloader.batch ${name}`, { attributes }, parent, async (_span, ctx) => runWithTrace(ctx, () => batch(keys)));
  };
}
