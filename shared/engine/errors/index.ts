export {
  ConfigError,
  InvalidEventError,
  InvalidRecordError,
  type RecordCoordinates,
  RecoveryError,
  StoreError,
  StreamError,
} from './StreamError.js';
