/** A stream entry's flat field list (`[name, value, name, value, …]`, as XRANGE returns it) as a map. */
export function streamFields(fields: readonly string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) map.set(fields[i] as string, fields[i + 1] as string);
  return map;
}
