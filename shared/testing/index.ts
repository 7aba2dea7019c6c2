export type { AggregateRow } from '../store/index.js';
export { PipelineTestDriver, type TestRecord } from './PipelineTestDriver.js';
