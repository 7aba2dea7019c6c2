import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** An embedded DynamoDB in a child process (see `dynamoServer.ts`). */
export interface DynamoServerProcess {
  readonly endpoint: string;
  close(): void;
}

/** Starts `dynamoServer.ts` under tsx and waits for the endpoint it prints. */
export async function startDynamoServerProcess(): Promise<DynamoServerProcess> {
  const child: ChildProcess = fork(fileURLToPath(new URL('./dynamoServer.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve((JSON.parse(line) as { endpoint: string }).endpoint);
    });
    child.once('exit', (code) => reject(new Error(`dynamoServer exited with code ${code} before listening`)));
  });
  return { endpoint, close: () => child.disconnect() };
}
