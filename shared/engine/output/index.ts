export { OutputDeduplicator } from './outputDeduplicator.js';
export {
  type OutputRecord,
  parseSource,
  SOURCE_HEADER,
  sourceHeader,
  sourceOf,
} from './outputRecord.js';
export type { RecordSink } from './RecordSink.js';
