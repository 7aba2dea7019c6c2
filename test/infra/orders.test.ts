import { describe, expect, it } from 'vitest';
import { catalog } from '../../functions/catalog.js';
import { ORDERS_TOPIC, ordersByState } from '../../shared/orders/index.js';
import { only, resourcesOf, synth } from './support/synth.js';

/**
 * The second domain deploys with no change to the stack but the catalog it reads: the
 * orders handler gets its function, its mapping on `orders` and its topic.
 */
describe('orders-by-state in the default stack (catalog.handlers)', () => {
  const { template } = synth({});
  const mappingOf = (topic: string) =>
    resourcesOf(template, 'AWS::Lambda::EventSourceMapping').filter(([, m]) =>
      JSON.stringify(m.Properties.Topics).includes(`"${topic}"`),
    );

  it('is in the catalog the stack deploys by default', () => {
    expect(catalog.handlers.map((h) => h.name)).toContain(ordersByState.name);
  });

  it('gets a function named after it for Powertools', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { POWERTOOLS_SERVICE_NAME: 'orders-by-state' } },
    });
  });

  it('gets one mapping on the orders topic, with its own consumer group, invoking its function', () => {
    const [, mapping] = only(mappingOf(ORDERS_TOPIC), 'mapping on orders');
    const [functionId] = only(
      resourcesOf(template, 'AWS::Lambda::Function').filter(([, f]) =>
        JSON.stringify(f.Properties.Environment ?? {}).includes(
          '"POWERTOOLS_SERVICE_NAME":"orders-by-state"',
        ),
      ),
      'orders-by-state function',
    );

    expect(mapping.Properties).toMatchObject({
      Topics: ['orders'],
      StartingPosition: 'TRIM_HORIZON',
      AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: 'rides-orders-by-state' },
    });
    expect(JSON.stringify(mapping.Properties.FunctionName)).toContain(functionId);
  });

  it('creates the orders topic beside the rides topic', () => {
    template.hasResourceProperties('Custom::KafkaTopic', { TopicName: 'orders' });
    template.hasResourceProperties('Custom::KafkaTopic', { TopicName: 'rides' });
  });
});
