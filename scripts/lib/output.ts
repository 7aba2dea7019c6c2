/**
 * Where a command writes: results to `out` (stdout, pipe-friendly), progress and summaries
 * of side effects to `err` (stderr). Commands take it as a parameter so tests run them
 * in-process and read what they printed.
 */
export interface Output {
  out(line: string): void;
  err(line: string): void;
  /** True when `err` is an interactive terminal (progress bars only make sense there). */
  readonly errIsTTY: boolean;
}

// A closed pipe (`... | head`) ends the command quietly instead of with an EPIPE stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

/** The process's stdout and stderr. */
export const processOutput: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  get errIsTTY() {
    return process.stderr.isTTY === true;
  },
};

/** An Output that keeps the lines, for tests. */
export interface CapturedOutput extends Output {
  readonly stdout: string[];
  readonly stderr: string[];
}

/** Collects printed lines in memory. */
export function captureOutput(): CapturedOutput {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    errIsTTY: false,
    out: (line) => stdout.push(...line.split('\n')),
    err: (line) => stderr.push(...line.split('\n')),
  };
}
