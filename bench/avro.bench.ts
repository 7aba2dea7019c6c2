/**
 * Avro decode vs JSON on the same rides (`npm run bench:avro`). Prints a table; asserts
 * nothing (speed is measured here, never in tests). 10,000 datagen rides encoded both ways,
 * decoded through the engine's codec path (decodeGroups over a decoded event), median of 9
 * interleaved rounds after 3 warm-up rounds.
 */
import { fileURLToPath } from 'node:url';
import { avroSerializer } from '../scripts/lib/avroValues.js';
import { LocalSchemaDirectory } from '../shared/engine/decode/avro/index.js';
import { codecByName, registerCodecs } from '../shared/engine/decode/index.js';
import { buildEvent, decodeEvent, type KafkaRecordInput } from '../shared/engine/event/index.js';
import { decodeGroups } from '../shared/engine/process/index.js';
import '../shared/rides/index.js';
import { rideAvroCodecs } from '../shared/rides/rideAvroCodecs.js';
import { median, printTable, rideRecords } from './benchData.js';

const RECORDS = 10_000;
const schemaDir = fileURLToPath(new URL('../data/schemas', import.meta.url));
process.env.SCHEMA_DIR = schemaDir;

const jsonInputs = rideRecords(RECORDS);
const serializer = await avroSerializer({
  registrar: new LocalSchemaDirectory(schemaDir),
  subject: 'rides-value',
});
const avroInputs: KafkaRecordInput[] = jsonInputs.map((r) => ({
  ...r,
  value: serializer.serialize(JSON.parse(String(r.value))),
}));
const jsonEvent = buildEvent(jsonInputs);
const avroEvent = buildEvent(avroInputs);
registerCodecs(rideAvroCodecs); // opt-in: the ride pipelines register only JSON and CSV
const avroCodec = codecByName('ride-avro');
await avroCodec.prepare?.(decodeEvent(avroEvent).flat());

const cases: Record<string, () => number> = {
  'floor: base64 + JSON.parse': () => {
    let sink = 0;
    for (const g of Object.values(jsonEvent.records))
      for (const r of g)
        sink += (JSON.parse(Buffer.from(r.value!, 'base64').toString('utf8')) as { VendorID: number })
          .VendorID;
    return sink;
  },
  'ride-json (decode + zod)': () =>
    decodeGroups(decodeEvent(jsonEvent), (r) => codecByName('ride-json').decode(r)).flat().length,
  'ride-avro (frame + resolve + zod)': () =>
    decodeGroups(decodeEvent(avroEvent), (r) => avroCodec.decode(r)).flat().length,
};
// A bench of dead letters would measure nothing: every ride must decode on both paths.
for (const event of [jsonEvent, avroEvent]) {
  const codec = event === jsonEvent ? codecByName('ride-json') : avroCodec;
  const failed = decodeGroups(decodeEvent(event), (r) => codec.decode(r))
    .flat()
    .filter((d) => d.error);
  if (failed.length > 0)
    throw new Error(`${codec.name}: ${failed.length} rides failed, first: ${failed[0]!.error!.message}`);
}
const times: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (let round = 0; round < 12; round++) {
  for (const [name, fn] of Object.entries(cases)) {
    const t0 = performance.now();
    fn();
    if (round >= 3) times[name]!.push(performance.now() - t0);
  }
}
const floor = RECORDS / median(times['floor: base64 + JSON.parse']!);
const bytes = (inputs: KafkaRecordInput[]) =>
  inputs.reduce((n, r) => n + Buffer.byteLength(r.value as string | Buffer), 0) / inputs.length;
console.log(`## Avro vs JSON decode, ${RECORDS.toLocaleString('en-US')} rides (median of 9 rounds)\n`);
printTable(
  ['what', 'records/s', 'vs floor'],
  Object.entries(times).map(([name, t]) => {
    const perSecond = (RECORDS / median(t)) * 1000;
    return [name, Math.round(perSecond).toLocaleString('en-US'), (perSecond / (floor * 1000)).toFixed(2)];
  }),
);
console.log(
  `\nvalue bytes per ride: JSON ${bytes(jsonInputs).toFixed(0)}, Avro ${bytes(avroInputs).toFixed(0)}`,
);
