/**
 * How report texts quote a value from the feed: as written, but cut after 100 characters, so that a
 * megabyte-long value cannot turn into a megabyte-long report line.
 */
const MAX_QUOTED = 100;

export function quoted(value: string): string {
  return value.length <= MAX_QUOTED ? value : `${value.slice(0, MAX_QUOTED)}… (${codePointLength(value)} characters)`;
}

/** Length in characters (code points), as XSD and JSON Schema count it; without spreading the string. */
export function codePointLength(value: string): number {
  let pairs = 0;
  for (let i = 0; i < value.length; i += 1) {
    const code = value.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < value.length) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        pairs += 1;
        i += 1;
      }
    }
  }
  return value.length - pairs;
}
