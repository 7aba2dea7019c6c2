import { defineCatalog } from '../shared/engine/catalog.js';
import { rideCodecs, rideHandlers } from '../shared/rides/index.js';

/**
 * The handlers this app deploys (one folder each under `functions/`) and the codecs they
 * name: what `cdk deploy`, the CLI (`--catalog` to use another) and `npm start` read.
 */
export const catalog = defineCatalog({
  handlers: [...rideHandlers],
  codecs: rideCodecs,
});
