/**
 * HubSpot's internal stage values and the graph's enums. HubSpot's default lifecycle
 * stages and the stages of its default sales pipeline have fixed internal values; any
 * other value (a custom stage, another pipeline's numeric stage id) is OTHER.
 */
import type { DealStage, LifecycleStage } from './__generated__/resolvers-types.js';

const LIFECYCLE: ReadonlyArray<readonly [string, Exclude<LifecycleStage, 'OTHER'>]> = [
  ['lead', 'LEAD'],
  ['marketingqualifiedlead', 'MARKETING_QUALIFIED_LEAD'],
  ['salesqualifiedlead', 'SALES_QUALIFIED_LEAD'],
  ['opportunity', 'OPPORTUNITY'],
  ['customer', 'CUSTOMER'],
  ['evangelist', 'EVANGELIST'],
];

const DEAL: ReadonlyArray<readonly [string, Exclude<DealStage, 'OTHER'>]> = [
  ['appointmentscheduled', 'APPOINTMENT_SCHEDULED'],
  ['qualifiedtobuy', 'QUALIFIED_TO_BUY'],
  ['presentationscheduled', 'PRESENTATION_SCHEDULED'],
  ['decisionmakerboughtin', 'DECISION_MAKER_BOUGHT_IN'],
  ['contractsent', 'CONTRACT_SENT'],
  ['closedwon', 'CLOSED_WON'],
  ['closedlost', 'CLOSED_LOST'],
];

const LIFECYCLE_BY_VALUE = new Map<string, LifecycleStage>(LIFECYCLE);
const LIFECYCLE_BY_ENUM = new Map<LifecycleStage, string>(LIFECYCLE.map(([value, stage]) => [stage, value]));
const DEAL_BY_VALUE = new Map<string, DealStage>(DEAL);

/** The values HubSpot's default lifecycle stages have; every other value maps to OTHER. */
export const KNOWN_LIFECYCLE_VALUES: readonly string[] = LIFECYCLE.map(([value]) => value);

export function lifecycleStageOf(value: string | null): LifecycleStage {
  return (value === null ? undefined : LIFECYCLE_BY_VALUE.get(value)) ?? 'OTHER';
}

/**
 * HubSpot's value for a stage the graph names. OTHER has no single value: writing it sets
 * HubSpot's own "other" stage, filtering by it means "none of the known ones".
 */
export function lifecycleValueOf(stage: LifecycleStage): string {
  return LIFECYCLE_BY_ENUM.get(stage) ?? 'other';
}

export function dealStageOf(value: string | null): DealStage {
  return (value === null ? undefined : DEAL_BY_VALUE.get(value)) ?? 'OTHER';
}
