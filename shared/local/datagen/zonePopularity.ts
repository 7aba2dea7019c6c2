import type { Zone } from '../../rides/schemas/index.js';
import { type SeededRandom, seededRandom } from './random.js';
import { type WeightedSampler, weightedSampler, zipfWeights } from './weightedSampler.js';

/** Options of {@link zonePopularity}. */
export interface ZonePopularityOptions {
  /**
   * Zipf exponent of the popularity by rank. 0.8 puts about 9% of rides in the top zone and
   * about three quarters in Manhattan and the airports, close to the TLC's July 2020 data.
   * @default 0.8
   */
  readonly exponent?: number;
  /**
   * Weight multiplier for Manhattan's core and the airports, where yellow cabs pick up: about
   * 2.7 for pickups (82% of the sample's pickups are there) and 0.65 for drop-offs (52%).
   * @default 1
   */
  readonly coreWeight?: number;
}

/**
 * Where yellow taxis go: zones ranked by popularity with a Zipf-like weight per rank.
 * The ranking is fixed (not drawn from the user's seed): in the real city the same zones are
 * always the hot ones, so every seed shows the same hot keys.
 */
export function zonePopularity(
  zones: Iterable<Zone>,
  options: ZonePopularityOptions = {},
): WeightedSampler<Zone> {
  const known = [...zones].filter((z) => z.service_zone !== 'N/A' && z.borough !== 'Unknown');
  if (known.length === 0) throw new RangeError('no usable taxi zones (all unknown or none given)');
  known.sort((a, b) => a.locationid - b.locationid);
  const ranking = seededRandom(RANKING_SEED);
  // Yellow cabs work Manhattan below 110th St ("Yellow Zone") and the airports; outer-borough
  // "Boro Zone" trips are rarer, Newark rarest.
  const core = shuffle(
    known.filter((z) => z.service_zone === 'Yellow Zone' || z.service_zone === 'Airports'),
    ranking,
  );
  const boro = shuffle(
    known.filter((z) => z.service_zone === 'Boro Zone'),
    ranking,
  );
  const rest = known.filter((z) => !core.includes(z) && !boro.includes(z));
  const ranked = [...core, ...boro, ...rest];
  const coreWeight = options.coreWeight ?? 1;
  const weights = zipfWeights(ranked.length, options.exponent ?? 0.8).map((w, i) =>
    i < core.length ? w * coreWeight : w,
  );
  return weightedSampler(ranked, weights);
}

/** A fixed seed for the popularity ranking, independent of the data seed. */
const RANKING_SEED = 2020_07;

/** Fisher-Yates on a copy. */
function shuffle<T>(items: readonly T[], random: SeededRandom): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
