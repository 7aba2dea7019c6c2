export { type AggregateRow, PipelineTestDriver, type TestRecord } from './PipelineTestDriver.js';
