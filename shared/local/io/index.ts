export { type FileRecord, type ReadRecordFileOptions, readRecordFile, typeCells } from './readRecordFile.js';
export { requireTextFile } from './requireTextFile.js';
export { resetTopicFiles, TopicFilesSink } from './topicFilesSink.js';
