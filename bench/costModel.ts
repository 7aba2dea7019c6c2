/**
 * Prices and the arithmetic from measured counts to dollars per million rides. Pure, so the
 * README's cost table can be recomputed (and tested) without running anything.
 *
 * Prices are list prices, us-east-1, as read on 2026-12-02; they change: check them.
 */
export const PRICES = {
  /** DynamoDB on-demand, per write request unit (FACTS.md: $0.625 per million). */
  dynamoWriteUnitUsd: 0.625 / 1e6,
  /** DynamoDB on-demand, per read request unit ($0.125 per million). */
  dynamoReadUnitUsd: 0.125 / 1e6,
  /** Lambda requests, $0.20 per million. */
  lambdaRequestUsd: 0.2 / 1e6,
  /** Lambda duration on arm64 (what the CDK app deploys), per GB-second. */
  lambdaArmGbSecondUsd: 0.0000133334,
  /** Amazon Managed Service for Apache Flink, per KPU-hour (1 vCPU, 4 GB); one more KPU per application. */
  flinkKpuHourUsd: 0.11,
  date: '2026-12-02',
} as const;

/**
 * Lambda gives a function CPU in proportion to its memory: 1,769 MB is one vCPU (AWS Lambda
 * developer guide, memory and computing power).
 */
export const MB_PER_VCPU = 1769;

/** What one benchmark configuration measured, per invocation on average. */
export interface MeasuredInvocation {
  readonly records: number;
  readonly writeUnits: number;
  readonly readUnits: number;
  /** Handler CPU time measured locally (decode, plan, SDK marshalling), ms. */
  readonly cpuMs: number;
  /** Store request rounds at the store's concurrency (see `capacityCounter.ts`). */
  readonly rounds: number;
}

/** Dollars per million rides, by part, for a handler measured at one batch size. */
export interface CostPerMillion {
  readonly dynamoUsd: number;
  readonly lambdaUsd: number;
  readonly totalUsd: number;
  /** The modelled duration of one invocation in AWS, ms. */
  readonly durationMs: number;
}

/**
 * Cost per million rides: DynamoDB units as measured; Lambda requests, one per invocation;
 * Lambda duration = CPU time at the memory size's share of a vCPU (assumes this machine's
 * core is as fast as a Graviton core) + store rounds times a DynamoDB round-trip latency
 * (`dynamoLatencyMs`: DynamoDB answers in single-digit milliseconds; 6 ms is the model).
 * The event-source mapping is free in on-demand mode; provisioned mode adds event poller
 * hours, independent of the handler (not modelled).
 */
export function costPerMillion(
  m: MeasuredInvocation,
  options: { memoryMb: number; dynamoLatencyMs: number },
): CostPerMillion {
  const invocations = 1e6 / m.records;
  const cpuShare = Math.min(1, options.memoryMb / MB_PER_VCPU);
  const durationMs = m.cpuMs / cpuShare + m.rounds * options.dynamoLatencyMs;
  const dynamoUsd =
    invocations * (m.writeUnits * PRICES.dynamoWriteUnitUsd + m.readUnits * PRICES.dynamoReadUnitUsd);
  const gbSeconds = invocations * (durationMs / 1000) * (options.memoryMb / 1024);
  const lambdaUsd = invocations * PRICES.lambdaRequestUsd + gbSeconds * PRICES.lambdaArmGbSecondUsd;
  return { dynamoUsd, lambdaUsd, totalUsd: dynamoUsd + lambdaUsd, durationMs };
}

/**
 * A Managed Flink application sized for a sustained rate, on paper: `kpus` processing KPUs
 * (+1 for orchestration) running all month, divided by the rides of the month. What it
 * costs per million rides falls with the rate; the Lambda path's does not.
 */
export function flinkCostPerMillion(ridesPerSecond: number, kpus: number): number {
  const ridesPerHour = ridesPerSecond * 3600;
  return ((kpus + 1) * PRICES.flinkKpuHourUsd * 1e6) / ridesPerHour;
}
