export { DEFAULT_MAX_STALENESS_MS, type EnrichContext, enrichGroups } from './enrichGroups.js';
export { type EnrichSpec, enrichSpecSchema } from './enrichSpec.js';
export { type LookedUpRow, LookupCache } from './lookupCache.js';
export { LookupPins, type PinnedRows, type PinSegment } from './lookupPins.js';
