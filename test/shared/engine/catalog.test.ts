import { describe, expect, it } from 'vitest';
import { compactedTopicsOf, defineCatalog, outputTopicsOf } from '../../../shared/engine/catalog.js';
import type { HandlerSpec } from '../../../shared/engine/process/index.js';
import { rideEnrichmentHandlers } from '../../../shared/rides/index.js';

describe('a catalog', () => {
  it('names the topics each handler writes and the topics tables read (compacted)', () => {
    const byName = Object.fromEntries(rideEnrichmentHandlers.map((h) => [h.name, outputTopicsOf(h)]));

    expect(byName).toEqual({
      'zones-table': [],
      'rides-route-by-amount': ['rides_high_amount', 'rides_low_amount'],
      'rides-enrich-zones': ['rides_enriched'],
    });
    expect(compactedTopicsOf({ handlers: rideEnrichmentHandlers })).toEqual(['zones']);
  });

  it('rejects an enrich step that names no table pipeline of the catalog, listing the tables', () => {
    const orphan: HandlerSpec = {
      name: 'orphan',
      description: '',
      topic: 'rides',
      pipelines: [
        {
          kind: 'route',
          name: 'orphan-route',
          description: '',
          topic: 'rides',
          codec: 'json',
          enrich: [{ table: 'zonez', keyField: 'loc', as: 'zone' }],
          routes: [{ to: 'out' }],
        },
      ],
    };

    expect(() => defineCatalog({ handlers: [...rideEnrichmentHandlers, orphan] })).toThrow(
      /orphan-route: enrich reads table "zonez", which is no table pipeline of the catalog \(tables: zones\)/,
    );
  });

  it('rejects two pipelines of one name in different handlers (they share the tables)', () => {
    const twin = { ...rideEnrichmentHandlers[0]!, name: 'twin' };

    expect(() => defineCatalog({ handlers: [...rideEnrichmentHandlers, twin] })).toThrow(
      /zones: two pipelines of the catalog have this name/,
    );
  });
});
