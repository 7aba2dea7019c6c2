export { csvCodec } from './csvCodec.js';
export { jsonCodec } from './jsonCodec.js';
export { codecByName, registerCodec } from './registry.js';
export { type RideCodecName, rideCodecs } from './rideCodecs.js';
export { requireValue, type ValueCodec, validate } from './valueCodec.js';
