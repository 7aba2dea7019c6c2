export {
  type AggregateState,
  cloneState,
  combine,
  decimalToScaled,
  emptyState,
  scaledToDecimal,
  stateOfRecord,
  toScaled,
} from './aggregateState.js';
export { type AggregationSpec, attributeName, DEFAULT_SCALE, isAdditive } from './aggregationSpec.js';
