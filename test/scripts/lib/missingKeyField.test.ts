import { describe, expect, it } from 'vitest';
import { missingKeyFieldReason } from '../../../scripts/lib/missingKeyField.js';

const zone = { locationid: 1, borough: 'EWR', zone: 'Newark Airport', service_zone: 'EWR' };

describe('missingKeyFieldReason (why produce found no key)', () => {
  it('names every field of the record when the key field is not one of them', () => {
    expect(missingKeyFieldReason('DOLocationID', zone)).toBe(
      'key field "DOLocationID" is not a field of the record (fields: locationid, borough, zone, service_zone)',
    );
  });

  it('points at the field that differs only in case, without matching it', () => {
    expect(missingKeyFieldReason('LocationID', zone)).toMatch(
      /fields: locationid, borough, zone, service_zone\); did you mean --key-field locationid\? \(names match exactly\)$/,
    );
  });

  it('says the field is empty when it is there without a value', () => {
    expect(missingKeyFieldReason('locationid', { ...zone, locationid: null })).toBe(
      'key field "locationid" is empty',
    );
  });
});
