export {
  ConfigError,
  InvalidEventError,
  InvalidRecordError,
  type RecordCoordinates,
  StoreError,
  StreamError,
} from './StreamError.js';
