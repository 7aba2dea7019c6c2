export { type FileRecord, type ReadRecordFileOptions, readRecordFile, typeCells } from './readRecordFile.js';
