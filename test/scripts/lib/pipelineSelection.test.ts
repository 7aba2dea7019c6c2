import { describe, expect, it } from 'vitest';
import { catalog } from '../../../functions/catalog.js';
import { selectHandlers } from '../../../scripts/lib/pipelineSelection.js';

describe('selectHandlers (--pipelines)', () => {
  it("selects a join's side by the replayed topic: its two side copies share the pipeline name", () => {
    const onRides = selectHandlers(['rides-pickup-join'], catalog.handlers, 'rides');
    const onPickups = selectHandlers(['rides-pickup-join'], catalog.handlers, 'pickup-locations');

    expect(onRides.map((h) => [h.name, h.topic])).toEqual([['rides-join-pickups', 'rides']]);
    expect(onPickups.map((h) => [h.name, h.topic])).toEqual([['pickups-join-rides', 'pickup-locations']]);
  });

  it('selects a pipeline within its handler, and names the known ones for an unknown name', () => {
    expect(
      selectHandlers(['tips-1h'], catalog.handlers, 'rides').map((h) => [
        h.name,
        h.pipelines.map((p) => p.name),
      ]),
    ).toEqual([['rides-tumbling-by-pickup', ['tips-1h']]]);
    expect(() => selectHandlers(['nope'], catalog.handlers, 'rides')).toThrow(
      /unknown pipeline "nope"; known pipelines: .*tips-1h/,
    );
  });
});
