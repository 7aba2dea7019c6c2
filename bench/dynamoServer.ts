/**
 * Runs the embedded DynamoDB (dynalite, in memory) in its own process and prints its
 * endpoint as one JSON line, so a benchmark can measure the handler's own CPU time with
 * `process.cpuUsage()`: with dynalite in the same process its work would count as ours.
 */
import { startEmbeddedDynamo } from '../shared/local/index.js';

const dynamo = await startEmbeddedDynamo();
process.stdout.write(`${JSON.stringify({ endpoint: dynamo.endpoint })}\n`);
process.on('disconnect', () => void dynamo.close().then(() => process.exit(0)));
