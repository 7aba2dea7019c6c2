export type { AggregateRow } from '../engine/store/dynamo/index.js';
export { PipelineTestDriver, type TestRecord } from './PipelineTestDriver.js';
