export { hoppingWindows } from './hopping.js';
export { isWindowClosed, NO_STREAM_TIME } from './lateness.js';
export { ALL_TIME, floorMod, isAllTime, type TimeWindow } from './timeWindow.js';
export { tumblingWindow } from './tumbling.js';
export {
  allTime,
  graceMsOf,
  hopping,
  tumbling,
  type WindowSpec,
  windowAssigner,
  windowsFor,
} from './windowSpec.js';
