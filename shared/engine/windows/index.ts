export { hoppingWindows } from './hopping.js';
export { isWindowClosed, NO_STREAM_TIME } from './lateness.js';
export { ALL_TIME, floorMod, isAllTime, type TimeWindow } from './timeWindow.js';
export { tumblingWindow } from './tumbling.js';
export {
  WINDOW_KINDS,
  type WindowKind,
  type WindowSpec,
  windowKind,
  windowSpecSchema,
} from './windowKinds.js';
export {
  allTime,
  graceMsOf,
  hopping,
  tumbling,
  windowAssigner,
  windowsFor,
} from './windowSpec.js';
