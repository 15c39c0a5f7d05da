/** lib/heapGrowth.ts: which V8 flag a service sets, when a node flag takes precedence, and that the gateway sets it before its dependencies load. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './env.js';
import { applyHeapGrowth, heapGrowthGivenToNode, readHeapGrowthPercent } from './heapGrowth.js';

describe('heap growth', () => {
  it('sets --heap-growing-percent to the configured percent, 50 by default, nothing for 0', () => {
    const set: string[] = [];
    const apply = (percent: number): string => applyHeapGrowth(percent, [], undefined, (flag) => set.push(flag));
    expect(apply(readHeapGrowthPercent({}, 'X'))).toBe('applied');
    expect(apply(readHeapGrowthPercent({ X: '100' }, 'X'))).toBe('applied');
    expect(apply(readHeapGrowthPercent({ X: '0' }, 'X'))).toBe('v8 default');
    expect(set).toEqual(['--heap-growing-percent=50', '--heap-growing-percent=100']);
  });

  it('leaves the flag alone when node was started with it, on the command line or in NODE_OPTIONS', () => {
    const set: string[] = [];
    const record = (flag: string): void => void set.push(flag);
    expect(applyHeapGrowth(50, ['--heap-growing-percent=20'], undefined, record)).toBe('node flag');
    expect(applyHeapGrowth(50, [], '--max-old-space-size=512 --heap_growing_percent=30', record)).toBe('node flag');
    expect(applyHeapGrowth(50, ['--max-semi-space-size=16'], '--max-old-space-size=512', record)).toBe('applied');
    expect(set).toEqual(['--heap-growing-percent=50']);
    expect(heapGrowthGivenToNode(['--heap-growing-percent', '20'], '')).toBe(true);
  });

  it('refuses a value that is not a percent in range, naming the variable', () => {
    for (const bad of ['-1', '1001', 'half', '12.5']) {
      expect(() => readHeapGrowthPercent({ GATEWAY_HEAP_GROWTH_PERCENT: bad }, 'GATEWAY_HEAP_GROWTH_PERCENT')).toThrow(ConfigError);
      expect(() => readHeapGrowthPercent({ GATEWAY_HEAP_GROWTH_PERCENT: bad }, 'GATEWAY_HEAP_GROWTH_PERCENT')).toThrow(/GATEWAY_HEAP_GROWTH_PERCENT/);
    }
  });

  it("is the gateway entry point's first import, so it is set before the dependencies load", () => {
    const entry = readFileSync(new URL('../gateway/src/index.ts', import.meta.url), 'utf8');
    const imports = entry.split('\n').filter((line) => line.startsWith('import '));
    expect(imports[0]).toBe("import './heapGrowth.js';");
  });
});
