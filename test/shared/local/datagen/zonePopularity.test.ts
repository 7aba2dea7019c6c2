import { describe, expect, it } from 'vitest';
import { zonePopularity } from '../../../../shared/local/datagen/index.js';
import { loadZones, type Zone } from '../../../../shared/rides/schemas/index.js';
import { dataPath } from '../../../support/rides.js';

const ZONES = [...loadZones(dataPath('taxi_zone_lookup.csv')).values()];
const isCore = (z: Zone) => z.service_zone === 'Yellow Zone' || z.service_zone === 'Airports';

function coreShare(coreWeight: number): number {
  const sampler = zonePopularity(ZONES, { coreWeight });
  return sampler.items.reduce((sum, z, i) => sum + (isCore(z) ? (sampler.probabilities[i] as number) : 0), 0);
}

describe('zonePopularity', () => {
  it('leaves out the unknown zones 264 and 265', () => {
    const ids = zonePopularity(ZONES).items.map((z) => z.locationid);
    expect(ids).not.toContain(264);
    expect(ids).not.toContain(265);
    expect(ids).toHaveLength(ZONES.length - 2);
  });

  it('ranks the same zones first whatever order the zones come in', () => {
    const a = zonePopularity(ZONES).items.map((z) => z.locationid);
    const b = zonePopularity([...ZONES].reverse()).items.map((z) => z.locationid);
    expect(b).toEqual(a);
  });

  it('puts Manhattan core zones and airports at the top, Newark last', () => {
    const items = zonePopularity(ZONES).items;
    const coreCount = ZONES.filter(isCore).length;
    expect(items.slice(0, coreCount).every(isCore)).toBe(true);
    expect(items.at(-1)?.zone).toBe('Newark Airport');
  });

  it('raises the core share with coreWeight (pickups) and lowers it below 1 (drop-offs)', () => {
    expect(coreShare(2.7)).toBeGreaterThan(0.78);
    expect(coreShare(2.7)).toBeLessThan(0.86);
    expect(coreShare(0.65)).toBeGreaterThan(0.45);
    expect(coreShare(0.65)).toBeLessThan(0.58);
  });

  it('makes popularity decrease with rank', () => {
    const p = zonePopularity(ZONES).probabilities;
    for (let i = 1; i < p.length; i++) expect(p[i]).toBeLessThanOrEqual(p[i - 1] as number);
  });
});
