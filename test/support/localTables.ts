import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { openDynamo } from '../../scripts/lib/dynamoContext.js';

/** Every item of the three tables under a data dir, sorted; `v` (writes an item took, i.e. batches) left out. */
export async function tablesIn(dataDir: string) {
  const ctx = await openDynamo({ forceEmbedded: true, dataDir });
  try {
    const scan = async (table: string) => {
      const items: Record<string, unknown>[] = [];
      let ExclusiveStartKey: Record<string, unknown> | undefined;
      do {
        const page = await ctx.doc.send(new ScanCommand({ TableName: table, ExclusiveStartKey }));
        items.push(...(page.Items ?? []));
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey);
      return items
        .map(({ v: _version, ...rest }) => rest)
        .sort((a, b) => `${a.pk}\u0000${a.sk}`.localeCompare(`${b.pk}\u0000${b.sk}`));
    };
    return {
      // Markers of merged-away sessions record which sessions a batch saw before a later
      // one merged them: they follow the batch boundaries too. The live sessions are compared.
      aggregates: (await scan(ctx.tables.aggregates)).filter((i) => i.merged !== true),
      deadLetters: await scan(ctx.tables.deadLetters),
      // Lookup pins record which table rows each delivered batch used: they follow the
      // batch boundaries, which the broker's consumer and the replay choose differently.
      // Everything the pins decide (the enriched values, the counts) is compared.
      // The same for the hot state of session keys (the stream time each partition had when
      // it last wrote the key, which sessions have moved out yet): the rows derived from it are compared.
      state: (await scan(ctx.tables.state)).filter(
        (i) => !String(i.pk).includes('#pins#') && !String(i.pk).includes('#session#'),
      ),
    };
  } finally {
    await ctx.close();
  }
}
