import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createTopic, deleteTopics, describeTopic, listTopics } from '../../../scripts/commands/topics.js';
import { KafkaUnavailableError } from '../../../scripts/lib/kafkaConnect.js';
import { captureOutput } from '../../../scripts/lib/output.js';
import { ConfigError } from '../../../shared/engine/errors/index.js';

/** `topics create|list|describe|delete` against the real broker of the integration run. */

const brokers = inject('kafkaBrokers');
const created: string[] = [];
const uniqueTopic = (prefix: string): string => {
  const name = `${prefix}-${randomUUID()}`;
  created.push(name);
  return name;
};

afterAll(async () => {
  await deleteTopics({ brokers, names: created, output: captureOutput() });
});

describe('topics create', () => {
  it('creates a topic with partitions, retention.ms, cleanup.policy and extra configs that describe shows', async () => {
    const name = uniqueTopic('cli-topics-create');
    const out = captureOutput();

    const result = await createTopic({
      brokers,
      name,
      partitions: 4,
      replicationFactor: 1,
      retentionMs: 3_600_000,
      cleanupPolicy: 'compact,delete',
      configs: { 'segment.ms': '600000' },
      output: out,
    });
    const described = await describeTopic({ brokers, name, output: captureOutput() });

    expect(result).toEqual({ created: true, partitions: 4 });
    expect(out.stderr.join('\n')).toContain(`created topic "${name}": 4 partitions`);
    expect(described.partitions.map((p) => p.partition)).toEqual([0, 1, 2, 3]);
    for (const p of described.partitions) {
      expect(p.leader).toBeGreaterThanOrEqual(0);
      expect(p.isr).toEqual(p.replicas);
      expect(p.highOffset).toBe('0');
    }
    expect(described.replicationFactor).toBe(1);
    expect(described.configs['retention.ms']).toMatchObject({ value: '3600000', isDefault: false });
    expect(described.configs['cleanup.policy']).toMatchObject({ value: 'compact,delete', isDefault: false });
    expect(described.configs['segment.ms']).toMatchObject({ value: '600000', isDefault: false });
  });

  it('creates a compacted table topic with compact, which describe shows as cleanup.policy=compact', async () => {
    const name = uniqueTopic('cli-topics-compact');
    const out = captureOutput();

    await createTopic({ brokers, name, partitions: 1, replicationFactor: 1, compact: true, output: out });
    const described = await describeTopic({ brokers, name, output: captureOutput() });

    expect(out.stderr.join('\n')).toContain('cleanup.policy=compact');
    expect(described.configs['cleanup.policy']).toMatchObject({ value: 'compact', isDefault: false });
  });

  it('refuses compact with a contradicting cleanup policy before creating anything', async () => {
    const name = uniqueTopic('cli-topics-compact-contradiction');

    const error = await createTopic({
      brokers,
      name,
      compact: true,
      cleanupPolicy: 'delete',
      output: captureOutput(),
    }).catch((e) => e);
    const listed = await listTopics({ brokers, output: captureOutput() });

    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/--compact and --cleanup-policy delete contradict/);
    expect(listed.map((t) => t.name)).not.toContain(name);
  });

  it('leaves an existing topic alone and says so (idempotent create)', async () => {
    const name = uniqueTopic('cli-topics-idempotent');
    await createTopic({ brokers, name, partitions: 2, output: captureOutput() });
    const out = captureOutput();

    const again = await createTopic({ brokers, name, partitions: 5, output: out });

    expect(again).toEqual({ created: false, partitions: 2 });
    expect(out.stderr.join('\n')).toMatch(/already exists with 2 partitions \(you asked for 5/);
  });

  it('fails on an existing topic with failIfExists', async () => {
    const name = uniqueTopic('cli-topics-fail-if-exists');
    await createTopic({ brokers, name, output: captureOutput() });

    await expect(createTopic({ brokers, name, failIfExists: true, output: captureOutput() })).rejects.toThrow(
      /already exists.*--fail-if-exists/,
    );
  });

  it('explains a replication factor larger than the cluster', async () => {
    const name = uniqueTopic('cli-topics-rf');

    const error = await createTopic({ brokers, name, replicationFactor: 3, output: captureOutput() }).catch(
      (e) => e,
    );

    expect(error).toBeInstanceOf(ConfigError);
    expect(String(error.message)).toMatch(/replication factor 3.*--replication-factor 1/);
  });
});

describe('topics list, describe and delete', () => {
  it('lists created topics with partition counts and hides internal ones unless asked', async () => {
    const name = uniqueTopic('cli-topics-list');
    await createTopic({ brokers, name, partitions: 2, output: captureOutput() });

    const visible = await listTopics({ brokers, output: captureOutput() });

    expect(visible).toContainEqual({ name, partitions: 2 });
    expect(visible.some((t) => t.name.startsWith('__'))).toBe(false);
  });

  it('prints describe as readable text with leaders and offsets, or as JSON', async () => {
    const name = uniqueTopic('cli-topics-describe');
    await createTopic({ brokers, name, partitions: 2, retentionMs: 60_000, output: captureOutput() });
    const text = captureOutput();
    const json = captureOutput();

    await describeTopic({ brokers, name, output: text });
    await describeTopic({ brokers, name, json: true, output: json });

    expect(text.stdout[0]).toBe(`topic ${name}: 2 partitions, replication factor 1, 0 records retained`);
    expect(text.stdout).toContain('  retention.ms=60000');
    expect(JSON.parse(json.stdout.join('\n'))).toMatchObject({ name, replicationFactor: 1 });
  });

  it('deletes a topic, and reports a missing one without failing unless failIfMissing', async () => {
    const name = uniqueTopic('cli-topics-delete');
    await createTopic({ brokers, name, output: captureOutput() });
    const out = captureOutput();

    const first = await deleteTopics({ brokers, names: [name], output: out });
    const second = await deleteTopics({ brokers, names: [name], output: out });

    expect(first).toEqual({ deleted: [name], missing: [] });
    expect(second).toEqual({ deleted: [], missing: [name] });
    expect(out.stderr.join('\n')).toContain(`"${name}" does not exist`);
    await expect(deleteTopics({ brokers, names: [name], failIfMissing: true, output: out })).rejects.toThrow(
      /--fail-if-missing/,
    );
  });

  it('fails describe of a missing topic with a message naming it', async () => {
    await expect(
      describeTopic({ brokers, name: 'cli-no-such-topic', output: captureOutput() }),
    ).rejects.toThrow(/topic "cli-no-such-topic" does not exist/);
  });
});

describe('topics create as a process', () => {
  const run = promisify(execFile);
  const REPO_ROOT = resolve(import.meta.dirname, '..', '..', '..');

  it('`topics create NAME --compact` creates a topic that `topics describe --json` shows compacted', async () => {
    const name = uniqueTopic('cli-topics-compact-process');
    const cli = (args: string[]) =>
      run('npx', ['tsx', 'scripts/cli.ts', ...args, '--brokers', brokers], {
        cwd: REPO_ROOT,
        timeout: 60_000,
      });

    await cli(['topics', 'create', name, '--compact', '--partitions', '1', '--replication-factor', '1']);
    const { stdout } = await cli(['topics', 'describe', name, '--json']);

    expect(JSON.parse(stdout).configs['cleanup.policy']).toMatchObject({
      value: 'compact',
      isDefault: false,
    });
  });
});

describe('without a reachable broker', () => {
  it('fails within seconds, naming the address tried and how to start the local broker', async () => {
    const startedMs = Date.now();

    const error = await listTopics({ brokers: '127.0.0.1:1', output: captureOutput() }).catch((e) => e);

    expect(error).toBeInstanceOf(KafkaUnavailableError);
    expect(error.message).toContain('127.0.0.1:1');
    expect(error.message).toContain('bash scripts/kafka/broker.sh start');
    expect(Date.now() - startedMs).toBeLessThan(5000);
  });

  it('says how to give a broker when none is configured', async () => {
    const error = await listTopics({ env: {}, output: captureOutput() }).catch((e) => e);

    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/KAFKA_BROKERS is not set.*broker\.sh start/);
  });
});
