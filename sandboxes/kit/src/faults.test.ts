import { describe, expect, it } from 'vitest';
import { FaultInjector, parseFaultConfig } from './faults.js';

describe('FaultInjector', () => {
  it('applies a fault to the next N matching calls only, with the Retry-After it was set with', () => {
    const faults = new FaultInjector();
    faults.set(parseFaultConfig({ rateLimitRate: 1, retryAfterSeconds: 7, remaining: 2, operations: ['deals.'] }));
    expect(faults.decide('companies.getById').action).toBe('none');
    expect(faults.decide('deals.search')).toMatchObject({ action: 'rateLimit', retryAfterSeconds: 7 });
    // The last faulted call still reports the settings it was decided with.
    expect(faults.decide('deals.search')).toMatchObject({ action: 'rateLimit', retryAfterSeconds: 7 });
    expect(faults.decide('deals.search').action).toBe('none');
  });

  it('refuses unknown settings and out-of-range values with a message naming them', () => {
    expect(() => parseFaultConfig({ errorRat: 1 })).toThrow('unknown fault setting "errorRat"');
    expect(() => parseFaultConfig({ errorRate: 2 })).toThrow('errorRate must be a number from 0 to 1, got 2');
    expect(() => parseFaultConfig({ hang: 'yes' })).toThrow('hang must be true or false, got "yes"');
    expect(() => parseFaultConfig([])).toThrow('the body must be a JSON object');
  });
});
