export { csvCodec } from './csvCodec.js';
export { jsonCodec } from './jsonCodec.js';
export { codecByName, registerCodec, registerCodecs } from './registry.js';
export { requireValue, type ValueCodec, validate } from './valueCodec.js';
