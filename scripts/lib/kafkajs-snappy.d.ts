/** kafkajs-snappy ships no types: its default export is a kafkajs codec factory. */
declare module 'kafkajs-snappy' {
  const snappyCodec: () => {
    compress(encoder: { readonly buffer: Buffer }): Promise<Buffer>;
    decompress(buffer: Buffer): Promise<Buffer>;
  };
  export default snappyCodec;
}
