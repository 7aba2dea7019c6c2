import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEvent, decodeEvent } from '../../../../shared/engine/event/index.js';
import type { HandlerSpec } from '../../../../shared/engine/process/index.js';
import { allTime } from '../../../../shared/engine/windows/index.js';
import { PipelineTestDriver } from '../../../../shared/testing/index.js';
import { loadEvent } from '../../../support/events.js';

/** Events exactly as the Lambda developer guide shows them (events/aws), not as we generate them. */
describe.each([
  ['msk.json', 'aws:kafka'],
  ['self-managed.json', 'SelfManagedKafka'],
])('the AWS-documented %s event', (file, source) => {
  const event = loadEvent(`aws/${file}`);

  it('decodes: base64 key and value, headers as bytes, coordinates kept', () => {
    const [[record]] = decodeEvent(event) as [[ReturnType<typeof decodeEvent>[number][number]]];
    expect(event.eventSource).toBe(source);
    expect(record).toMatchObject({ topic: 'mytopic', partition: 0, offset: 15, timestampMs: 1545084650987 });
    expect(record.key?.toString()).toBe('recordKey');
    expect(record.value?.toString()).toBe('{"key":"value"}');
    expect(record.headers.map((h) => [h.name, h.value.toString()])).toEqual([['headerKey', 'headerValue']]);
  });

  it('has the shape the event generator writes for the same record', () => {
    const generated = buildEvent(
      [
        {
          topic: 'mytopic',
          partition: 0,
          offset: 15,
          timestampMs: 1545084650987,
          key: 'recordKey',
          value: '{"key":"value"}',
          headers: [{ name: 'headerKey', value: 'headerValue' }],
        },
      ],
      { source: source === 'aws:kafka' ? 'msk' : 'self-managed' },
    );
    expect(generated.records).toEqual(event.records);
    expect(Object.keys(generated).sort()).toEqual(Object.keys(event).sort());
  });

  describe('through a pipeline', () => {
    const spec: HandlerSpec = {
      name: 'docs-example',
      description: 'the documented event through the engine',
      topic: 'mytopic',
      pipelines: [
        {
          kind: 'windowed-aggregate',
          name: 'docs-example',
          description: 'records per value of the "key" field',
          topic: 'mytopic',
          codec: 'json',
          key: { field: 'key' },
          time: { kafkaTimestamp: true },
          window: allTime(),
          aggregations: [],
        },
      ],
    };
    let driver: PipelineTestDriver;
    beforeAll(async () => {
      driver = await PipelineTestDriver.start(spec);
    });
    afterAll(async () => {
      await driver.close();
    });

    it('is aggregated with the built-in json codec, once however often it is delivered', async () => {
      await driver.pipeEvent(event);
      await driver.pipeEvent(event);
      expect(await driver.count('docs-example', 'value')).toBe(1);
      expect(await driver.deadLetters()).toEqual([]);
    });
  });
});
