/** The floor of `npm run bench:bundle`: a handler that does nothing, bundled as the real ones are. */
export const handler = async (): Promise<{ batchItemFailures: [] }> => ({ batchItemFailures: [] });
