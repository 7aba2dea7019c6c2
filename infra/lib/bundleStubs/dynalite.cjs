// Stands in for `dynalite` in Lambda bundles. The handlers reach shared/store/index.ts, which
// also exports the embedded test DynamoDB; bundling the real dynalite pulls LevelDB's native
// addon (classic-level) into the zip, which has no build for Lambda and crashes the cold start.
module.exports = function dynalite() {
  throw new Error('dynalite (the embedded DynamoDB for tests and the CLI) is not part of Lambda bundles');
};
