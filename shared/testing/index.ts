export type { AggregateRow } from '../engine/store/dynamo/index.js';
export type { TableRow } from '../engine/store/index.js';
export { MemoryRecordSink, type SentRecord } from './MemoryRecordSink.js';
export { PipelineTestDriver, type TestRecord } from './PipelineTestDriver.js';
