export { type RideCodecName, rideCodecs } from './rideCodecs.js';
export {
  dropoffCount,
  pickup5m,
  RIDES_TOPIC,
  rideHandler,
  rideHandlers,
  ridePipelines,
  tips1h,
  vendorHopping,
} from './ridePipelines.js';
