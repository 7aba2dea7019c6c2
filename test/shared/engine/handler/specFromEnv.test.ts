import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../shared/engine/errors/index.js';
import { PIPELINE_SPEC_ENV, specFromEnv } from '../../../../shared/engine/handler/specFromEnv.js';
import { tumbling } from '../../../../shared/engine/windows/index.js';

const spec = {
  name: 'page-views',
  description: 'Page views per minute',
  topic: 'page-views',
  pipelines: [
    {
      kind: 'windowed-aggregate',
      name: 'page-views-1m',
      description: '',
      topic: 'page-views',
      codec: 'json',
      key: { field: 'page' },
      time: { field: 'ts' },
      window: tumbling(60_000, 0),
      aggregations: [],
    },
  ],
};

describe('specFromEnv', () => {
  it('reads a valid spec from PIPELINE_SPEC', () => {
    expect(specFromEnv({ [PIPELINE_SPEC_ENV]: JSON.stringify(spec) })).toEqual(spec);
  });

  it.each([
    ['missing', {}, /PIPELINE_SPEC is not set/],
    ['not JSON', { PIPELINE_SPEC: '{' }, /PIPELINE_SPEC is not JSON/],
    [
      'not a handler spec',
      { PIPELINE_SPEC: '{"name":"x"}' },
      /PIPELINE_SPEC is not a handler spec[\s\S]*topic/,
    ],
    [
      'an unknown codec',
      { PIPELINE_SPEC: JSON.stringify({ ...spec, pipelines: [{ ...spec.pipelines[0], codec: 'avro' }] }) },
      /PIPELINE_SPEC: handler spec page-views is invalid[\s\S]*unknown codec "avro"/,
    ],
  ])('fails the cold start with a ConfigError when %s', (_, env, message) => {
    expect(() => specFromEnv(env)).toThrow(ConfigError);
    expect(() => specFromEnv(env)).toThrow(message);
  });
});
