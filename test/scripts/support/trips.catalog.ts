import { defineCatalog } from '../../../shared/engine/catalog.js';
import { allTime } from '../../../shared/engine/windows/index.js';

/**
 * A catalog with nothing of the ride example: one handler counting `trips` records by their
 * `city` field, JSON values, all time. The CLI tests load it through `--catalog`.
 */
export const catalog = defineCatalog({
  handlers: [
    {
      name: 'trips-by-city',
      description: 'All-time trip count per city',
      topic: 'trips',
      pipelines: [
        {
          kind: 'windowed-aggregate',
          name: 'trips-per-city',
          description: 'All-time trip count per city',
          topic: 'trips',
          codec: 'json',
          key: { field: 'city' },
          time: { field: 'at' },
          window: allTime(),
          aggregations: [],
        },
      ],
    },
  ],
});
