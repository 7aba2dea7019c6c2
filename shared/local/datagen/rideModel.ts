import type { Zone } from '../../rides/schemas/index.js';
import type { SeededRandom } from './random.js';
import { type RideRow, toTlcDatetime } from './rideRow.js';
import { choose, type WeightedSampler } from './weightedSampler.js';

/**
 * How one plausible yellow-taxi ride is made up, after the TLC's 2020 rate card: $2.50
 * initial charge, $2.50 a mile, $0.50 a minute in slow traffic; $0.50 overnight and $1
 * weekday rush-hour extras; $0.50 MTA tax; $0.30 improvement surcharge; $2.50 congestion
 * surcharge for trips touching Manhattan's core; the $52 JFK-Manhattan flat fare; the
 * $17.50 Newark surcharge. Amounts are computed in cents so that `total_amount` is exactly
 * the sum of its parts.
 * @see https://www.nyc.gov/site/tlc/passengers/taxi-fare.page
 */
export function makeRide(random: SeededRandom, pickupMs: number, zones: RideZones): RideRow {
  const vendor = random.chance(1 / 3) ? 1 : 2; // ~1:2 as in data/rides.csv (87:179)
  const pickup = zones.pickups.sample(random);
  const dropoff = zones.dropoffs.sample(random);
  const distanceMiles = tripDistanceMiles(random, pickup, dropoff);
  const ratecode = rateCode(pickup, dropoff);

  const pickupDate = new Date(pickupMs);
  const hour = pickupDate.getUTCHours();
  const weekday = pickupDate.getUTCDay() >= 1 && pickupDate.getUTCDay() <= 5;
  const speedMph = travelSpeedMph(random, hour, distanceMiles);
  const durationS = Math.max(60, Math.round((distanceMiles / speedMph) * 3600 + 30 + random.float() * 120));
  const slowMinutes = (durationS / 60) * clamp((14 - speedMph) / 14, 0.05, 0.6);

  const fareCents =
    ratecode === JFK_FLAT_RATE
      ? 5200
      : roundTo(250 + 250 * distanceMiles + 50 * slowMinutes, 50) + (ratecode === NEWARK_RATE ? 1750 : 0);
  const extraCents = (hour >= 20 || hour < 6 ? 50 : 0) + (weekday && hour >= 16 && hour < 20 ? 100 : 0);
  const mtaTaxCents = 50;
  const improvementCents = 30;
  const congestionCents =
    pickup.service_zone === 'Yellow Zone' || dropoff.service_zone === 'Yellow Zone' ? 250 : 0;
  const tollsCents = tollsFor(random, ratecode, pickup, dropoff, distanceMiles);
  const payment = choose(random, PAYMENT_MIX);
  const tipCents =
    payment === CARD && random.chance(0.85)
      ? Math.round(
          choose(random, TIP_SHARES) *
            (fareCents + extraCents + mtaTaxCents + improvementCents + congestionCents),
        )
      : 0; // cash tips are not recorded by the meter
  const totalCents =
    fareCents + extraCents + mtaTaxCents + tipCents + tollsCents + improvementCents + congestionCents;

  return {
    VendorID: vendor,
    tpep_pickup_datetime: toTlcDatetime(pickupMs),
    tpep_dropoff_datetime: toTlcDatetime(pickupMs + durationS * 1000),
    passenger_count: choose(random, PASSENGERS),
    trip_distance: Math.round(distanceMiles * 100) / 100,
    RatecodeID: ratecode,
    store_and_fwd_flag: vendor === 1 && random.chance(0.02) ? 'Y' : 'N',
    PULocationID: pickup.locationid,
    DOLocationID: dropoff.locationid,
    payment_type: payment,
    fare_amount: fareCents / 100,
    extra: extraCents / 100,
    mta_tax: mtaTaxCents / 100,
    tip_amount: tipCents / 100,
    tolls_amount: tollsCents / 100,
    improvement_surcharge: improvementCents / 100,
    total_amount: totalCents / 100,
    congestion_surcharge: congestionCents / 100,
  };
}

/** Where rides start and end: pickups concentrate in Manhattan more than drop-offs do. */
export interface RideZones {
  readonly pickups: WeightedSampler<Zone>;
  readonly dropoffs: WeightedSampler<Zone>;
}

const CARD = 1;
const STANDARD_RATE = 1;
const JFK_FLAT_RATE = 2;
const NEWARK_RATE = 3;
const JFK = 132;
const LAGUARDIA = 138;
const NEWARK = 1;

/** TLC payment types: 1 card, 2 cash, 3 no charge, 4 dispute (shares close to July 2020). */
const PAYMENT_MIX: readonly (readonly [number, number])[] = [
  [1, 0.6],
  [2, 0.385],
  [3, 0.008],
  [4, 0.007],
];
/** The tablet's suggested tips, plus a spread of custom ones. */
const TIP_SHARES: readonly (readonly [number, number])[] = [
  [0.15, 0.2],
  [0.2, 0.35],
  [0.25, 0.2],
  [0.3, 0.1],
  [0.1, 0.1],
  [0.18, 0.05],
];
const PASSENGERS: readonly (readonly [number, number])[] = [
  [1, 0.78],
  [2, 0.13],
  [3, 0.04],
  [4, 0.015],
  [5, 0.02],
  [6, 0.012],
  [0, 0.003],
];

/** Typical road distance from Midtown to each airport, in miles. */
const AIRPORT_MILES: ReadonlyMap<number, number> = new Map([
  [JFK, 17],
  [LAGUARDIA, 9.5],
  [NEWARK, 17],
]);

/**
 * Zones carry no coordinates, so distance comes from how the two zones relate: the same
 * zone, the same borough, different boroughs, an airport. Log-normal around a typical
 * distance for each, which gives the long right tail of real trip distances.
 */
function tripDistanceMiles(random: SeededRandom, pickup: Zone, dropoff: Zone): number {
  const airport = Math.max(
    AIRPORT_MILES.get(pickup.locationid) ?? 0,
    AIRPORT_MILES.get(dropoff.locationid) ?? 0,
  );
  let medianMiles: number;
  let sigma: number;
  if (pickup.locationid === dropoff.locationid) [medianMiles, sigma] = [0.8, 0.6];
  else if (airport > 0) [medianMiles, sigma] = [airport, 0.2];
  else if (pickup.borough === dropoff.borough)
    [medianMiles, sigma] = [pickup.borough === 'Manhattan' ? 1.6 : 2.2, 0.6];
  else [medianMiles, sigma] = [5.5, 0.45];
  return clamp(medianMiles * Math.exp(sigma * random.normal()), 0.1, 60);
}

function rateCode(pickup: Zone, dropoff: Zone): number {
  const ends = [pickup, dropoff];
  if (ends.some((z) => z.locationid === NEWARK)) return NEWARK_RATE;
  const jfk = ends.findIndex((z) => z.locationid === JFK);
  if (jfk >= 0 && ends[1 - jfk]?.borough === 'Manhattan') return JFK_FLAT_RATE;
  return STANDARD_RATE;
}

/** Average door-to-door speed: slow in the day, fast at night, faster on long (highway) trips. */
function travelSpeedMph(random: SeededRandom, hour: number, distanceMiles: number): number {
  const base = hour < 6 ? 17 : hour < 10 ? 11 : hour < 16 ? 10 : hour < 20 ? 9 : 14;
  return clamp(base * Math.exp(0.25 * random.normal()) + Math.min(8, distanceMiles * 0.5), 3, 45);
}

/** Bridge and tunnel tolls: usual on long trips between boroughs, always to Newark. */
function tollsFor(
  random: SeededRandom,
  ratecode: number,
  pickup: Zone,
  dropoff: Zone,
  miles: number,
): number {
  if (ratecode === NEWARK_RATE) return 1275;
  const crossesWater = pickup.borough !== dropoff.borough && miles >= 6;
  if (random.chance(crossesWater ? 0.3 : 0.005)) return random.chance(0.9) ? 612 : 1224;
  return 0;
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

function roundTo(v: number, step: number): number {
  return Math.round(v / step) * step;
}
