/**
 * Why a record has no key, for the error `produce` stops with: the field is absent from the
 * record (then the message lists the columns it has, and the one that differs only in case,
 * since the zones file spells `locationid` where the TLC's docs write `LocationID`), or it is
 * present but empty.
 *
 * Matching stays exact: a key field that matched case-insensitively would key one file by a
 * column the user did not name, and the keys are what compaction and partitioning go by.
 */
export function missingKeyFieldReason(keyField: string, fields: Readonly<Record<string, unknown>>): string {
  if (Object.hasOwn(fields, keyField)) return `key field "${keyField}" is empty`;
  const columns = Object.keys(fields);
  const sameButCase = columns.find((c) => c.toLowerCase() === keyField.toLowerCase());
  return (
    `key field "${keyField}" is not a field of the record (fields: ${columns.join(', ') || 'none'})` +
    (sameButCase === undefined ? '' : `; did you mean --key-field ${sameButCase}? (names match exactly)`)
  );
}
