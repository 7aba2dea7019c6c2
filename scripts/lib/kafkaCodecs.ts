import kafkajs from 'kafkajs';
import { StreamError } from '../../shared/engine/errors/index.js';

// kafkajs is CommonJS; read its enums from the default export, as Node's ESM loader does not
// promise them as named exports.
const { CompressionCodecs, CompressionTypes } = kafkajs;

/**
 * Every record-batch codec Kafka has, by its `compression.type` name. A Java producer may use
 * any of them, and a topic's own `compression.type` can make the broker re-compress to any.
 */
export const COMPRESSION_NAMES = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
/** A Kafka `compression.type` a record batch can have. */
export type CompressionName = (typeof COMPRESSION_NAMES)[number];

/** kafkajs' number for each codec name (what `producer.send({ compression })` takes). */
export const COMPRESSION_TYPES: Readonly<Record<CompressionName, kafkajs.CompressionTypes>> = {
  none: CompressionTypes.None,
  gzip: CompressionTypes.GZIP,
  snappy: CompressionTypes.Snappy,
  lz4: CompressionTypes.LZ4,
  zstd: CompressionTypes.ZSTD,
};

/** The codec shape kafkajs calls: `compress` gets its encoder, `decompress` the batch's bytes. */
interface KafkajsCodec {
  compress(encoder: { readonly buffer: Buffer }): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}

/**
 * Teaches kafkajs (process-wide: `CompressionCodecs` is one table per process) to read and
 * write snappy, lz4 and zstd record batches; it ships gzip only and otherwise fails with
 * "LZ4 compression not implemented" on the first batch a Java producer compressed.
 * Called by `openKafka`, which every local tool's client goes through; the Lambda handlers
 * never consume, so nothing they bundle loads these packages. Idempotent.
 *
 * Each codec package is imported the first time a batch needs it, so a platform without one
 * of the native binaries still runs everything that does not meet that codec. The choices
 * (all install from the npm registry alone, no download from elsewhere at install time):
 * - snappy: `kafkajs-snappy` (kafkajs' own codec, over pure-JS `snappyjs`): it undoes the
 *   xerial framing Java's snappy-java writes (raw snappy is what it writes, which Java reads).
 * - lz4: `lz4-napi` (napi-rs over lz4_flex; binaries in per-platform npm packages): Kafka's lz4
 *   is the LZ4 *frame* format, which its `compressFrame` / `decompressFrame` speak (independent
 *   blocks, no checksums by default, which Java's KafkaLZ4BlockInputStream requires / accepts).
 *   `kafkajs-lz4` needs `lz4` 0.6, built with node-gyp at install; `lz4js` is unmaintained.
 * - zstd: `@mongodb-js/zstd` 1.x (napi-rs over the zstd crate, maintained by MongoDB for its
 *   driver; binaries in per-platform npm packages): streams frames of unknown content size,
 *   which Java's zstd-jni writes. Its 2.x+ lines fetch binaries from GitHub at install, so 1.x;
 *   `@kafkajs/zstd` builds `cppzst` with node-gyp (fails on Node 20); `@bokuweb/zstd-wasm`
 *   caps such frames at a 1 MB buffer; `fzstd` only decompresses.
 */
export function registerCompressionCodecs(): void {
  if (registered) return;
  registered = true;
  CompressionCodecs[CompressionTypes.Snappy] = lazyCodec('snappy', 'kafkajs-snappy', async () => {
    const { default: snappyCodec } = await import('kafkajs-snappy');
    return snappyCodec();
  });
  CompressionCodecs[CompressionTypes.LZ4] = lazyCodec('lz4', 'lz4-napi', async () => {
    const lz4 = await import('lz4-napi');
    return {
      compress: (encoder) => lz4.compressFrame(encoder.buffer),
      decompress: (buffer) => lz4.decompressFrame(buffer),
    };
  });
  CompressionCodecs[CompressionTypes.ZSTD] = lazyCodec('zstd', '@mongodb-js/zstd', async () => {
    const zstd = await import('@mongodb-js/zstd');
    return {
      // Level 3 is zstd's own default and the Java client's (compression.zstd.level).
      compress: (encoder) => zstd.compress(encoder.buffer, 3),
      decompress: (buffer) => zstd.decompress(buffer),
    };
  });
}

let registered = false;

/** A kafkajs codec factory whose implementation is imported on first use. */
function lazyCodec(name: string, packageName: string, load: () => Promise<KafkajsCodec>): () => KafkajsCodec {
  let loading: Promise<KafkajsCodec> | undefined;
  const codec = (): Promise<KafkajsCodec> => {
    loading ??= load().catch((cause: unknown) => {
      loading = undefined;
      throw new StreamError(
        'KAFKA_CODEC_UNAVAILABLE',
        `the ${name} codec (npm package ${packageName}) could not be loaded: ${(cause as Error).message}. ` +
          'Run `npm ci` on this platform',
        { cause },
      );
    });
    return loading;
  };
  const lazy: KafkajsCodec = {
    compress: async (encoder) => (await codec()).compress(encoder),
    decompress: async (buffer) => (await codec()).decompress(buffer),
  };
  return () => lazy;
}
