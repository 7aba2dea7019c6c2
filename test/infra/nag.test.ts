import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { acknowledge, acknowledgeWildcards } from '../../infra/lib/nag.js';
import { MODE_VARIANTS, synth } from './support/synth.js';

/** Violations cdk-nag's AwsSolutions pack reports for a stack, as "rule at path" lines. */
function nagFindings(stack: Stack): string[] {
  const report = new AwsSolutionsChecks().validateScope(stack);
  return report.violations.flatMap((v) =>
    v.violatingResources.map(
      (r) => `${v.severity} ${v.ruleName} at ${r.constructPath ?? '?'}: ${v.description}`,
    ),
  );
}

describe('cdk-nag AwsSolutions', () => {
  it.each(Object.entries(MODE_VARIANTS))('reports nothing unacknowledged for %s', (_name, raw) => {
    const { stack } = synth(raw);

    expect(nagFindings(stack)).toEqual([]);
  });

  it('still catches a wildcard nobody acknowledged (the check is live)', () => {
    const { stack } = synth();
    const role = new iam.Role(stack, 'Extra', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] }));

    expect(nagFindings(stack).join('\n')).toMatch(/AwsSolutions-IAM5\[Resource::\*\] at Test\/Extra/);
  });
});

describe('acknowledgements', () => {
  it('refuse a wildcard statement whose Sid has no written reason', () => {
    const stack = new Stack();
    const statement = new iam.PolicyStatement({
      sid: 'Anything',
      actions: ['s3:GetObject'],
      resources: ['*'],
    });

    expect(() => acknowledgeWildcards(stack, [statement])).toThrow(/Anything grants \* without a reason/);
  });

  it('refuse an empty reason', () => {
    expect(() => acknowledge(new Stack(), 'AwsSolutions-S1', 'ok')).toThrow(/needs a real reason/);
  });
});
