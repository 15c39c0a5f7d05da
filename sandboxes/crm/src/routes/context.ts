import type { CrmData } from '../CrmData.js';

/** What every endpoint handler works with. */
export interface CrmContext {
  data: CrmData;
  /** The clock for createdAt/updatedAt of client writes (ms since epoch). */
  now: () => number;
}
