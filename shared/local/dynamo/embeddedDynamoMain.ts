/**
 * Child entry of {@link startEmbeddedDynamoProcess}: starts the embedded DynamoDB on a free
 * loopback port (in memory, or on LevelDB with `--path DIR`), sends `{ endpoint }` to the
 * parent over IPC, and exits when the parent disconnects or sends SIGTERM.
 */
import { startEmbeddedDynamo } from './embeddedDynamo.js';

const pathIndex = process.argv.indexOf('--path');
const path = pathIndex >= 0 ? process.argv[pathIndex + 1] : undefined;
const dynamo = await startEmbeddedDynamo(path ? { path } : {});
const stop = () => {
  void dynamo.close().finally(() => process.exit(0));
  // Open keep-alive connections can hold close() back; the data is in memory or flushed by LevelDB.
  setTimeout(() => process.exit(0), 1000).unref();
};
process.once('disconnect', stop);
process.once('SIGTERM', stop);
process.send?.({ endpoint: dynamo.endpoint });
