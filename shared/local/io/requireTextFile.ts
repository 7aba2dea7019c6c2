import { open } from 'node:fs/promises';
import { ConfigError } from '../../engine/errors/index.js';

/** How much of a file is looked at: enough to catch binary data, cheap on any file. */
const SNIFF_BYTES = 64 * 1024;

/**
 * Fails with a message naming the file when it is not UTF-8 text: a NUL byte, a gzip or zip
 * header, or bytes that are not UTF-8 in its first 64 KB. Without this, a compressed or
 * binary file named `.csv` reads as one garbled "header" and a few nonsense rows.
 * @param expected what the file should be, for the message (e.g. "a CSV file with a header row")
 */
export async function requireTextFile(path: string, expected: string): Promise<void> {
  const handle = await open(path, 'r');
  let bytes: Buffer;
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
    bytes = buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  const notText = (what: string) =>
    new ConfigError(`${path} is not a text file (${what}); expected ${expected}, as UTF-8 text`);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b)
    throw notText('it starts with the gzip header: decompress it first');
  if (bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) {
    throw notText('it starts with the zip header: unzip it first');
  }
  const nul = bytes.indexOf(0);
  if (nul !== -1) throw notText(`a NUL byte at offset ${nul}: binary data, or UTF-16 text`);
  try {
    // `stream: true` tolerates a character cut at the end of the sniffed bytes.
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
  } catch {
    throw notText('bytes that are not UTF-8: binary data, or another encoding');
  }
}
