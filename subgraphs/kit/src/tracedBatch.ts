/**
 * A DataLoader batch function in a span when tracing is on (lib/tracing.ts):
 * `dataloader.batch <name>` with the loader's name and the batch's size, a child of the
 * request's span, and the parent of the backend calls the batch makes. With tracing off,
 * the batch function runs as is.
 */
import type DataLoader from 'dataloader';
import { tracingEnabled, withSpan } from '../../../lib/tracing.js';

export function tracedBatch<K, V>(name: string, batch: DataLoader.BatchLoadFn<K, V>): DataLoader.BatchLoadFn<K, V> {
  return (keys) => {
    if (!tracingEnabled()) return batch(keys);
    const attributes = { 'graph360.dataloader.name': name, 'graph360.dataloader.size': keys.length };
    return withSpan(`dataloader.batch ${name}`, { attributes }, async () => batch(keys));
  };
}
