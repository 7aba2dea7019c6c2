import { type BuildEventOptions, buildEvent, eventSizeBytes } from '../../engine/event/index.js';

/**
 * Tracks, record by record, the exact JSON size of the Lambda event a set of records makes,
 * without building and serialising the event again on each record (which would make cutting a
 * 10,000-record batch quadratic). The sum is exactly what {@link eventSizeBytes} returns for
 * `buildEvent(records)`: the envelope, each `"topic-partition":[...]` group, each record's
 * JSON and the commas between them. The tests hold it to that.
 */
export class EventSizer {
  private readonly groups = new Map<string, number>();
  private bytes: number;
  private records = 0;

  /** @param envelopeBytes size of the event with no records, see {@link envelopeBytes} */
  constructor(private readonly envelopeBytes: number) {
    this.bytes = envelopeBytes;
  }

  /** Bytes of the event so far. */
  get sizeBytes(): number {
    return this.bytes;
  }

  /** Number of records added. */
  get count(): number {
    return this.records;
  }

  /** The event's size if a record of `recordBytes` in partition `partitionId` were added. */
  sizeWith(partitionId: string, recordBytes: number): number {
    return this.bytes + this.delta(partitionId, recordBytes);
  }

  /** Adds a record; returns the new size. */
  add(partitionId: string, recordBytes: number): number {
    this.bytes += this.delta(partitionId, recordBytes);
    this.groups.set(partitionId, (this.groups.get(partitionId) ?? 0) + 1);
    this.records++;
    return this.bytes;
  }

  /** Empties the sizer. */
  clear(): void {
    this.groups.clear();
    this.bytes = this.envelopeBytes;
    this.records = 0;
  }

  private delta(partitionId: string, recordBytes: number): number {
    const inGroup = this.groups.get(partitionId);
    if (inGroup !== undefined) return recordBytes + 1; // a comma before the record
    // `"topic-partition":[record]`, plus a comma when another group precedes it.
    const groupBytes = Buffer.byteLength(JSON.stringify(partitionId), 'utf8') + 3;
    return groupBytes + (this.groups.size > 0 ? 1 : 0) + recordBytes;
  }
}

/** Size of the event with no records for these options: the start of every {@link EventSizer}. */
export function envelopeBytes(options: BuildEventOptions): number {
  return eventSizeBytes(buildEvent([], options));
}
