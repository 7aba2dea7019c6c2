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
