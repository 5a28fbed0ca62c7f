/**
 * The parameters of one MWS request, from the query string and (for a POST form) the body, decoded once. The
 * signature is computed over exactly these decoded values, so they are kept as sent: no trimming, no defaults.
 */
import { FeedError } from '../../core/errors.js';

export class MwsParameters {
  private constructor(private readonly values: ReadonlyMap<string, string>) {}

  /** Decodes `a=1&b=2` strings (query, then form body); a name given twice is refused, since it is ambiguous which was signed. */
  static parse(...encoded: string[]): MwsParameters {
    const values = new Map<string, string>();
    for (const text of encoded) {
      for (const [name, value] of new URLSearchParams(text)) {
        if (values.has(name))
          throw new FeedError('HTTP_PARAMETER_INVALID', {
            name,
            value,
            detail: 'the parameter is given more than once',
          });
        values.set(name, value);
      }
    }
    return new MwsParameters(values);
  }

  get size(): number {
    return this.values.size;
  }

  entries(): IterableIterator<[string, string]> {
    return this.values.entries();
  }

  get(name: string): string | undefined {
    return this.values.get(name);
  }

  required(name: string): string {
    const value = this.values.get(name);
    if (value === undefined || value === '') throw new FeedError('HTTP_PARAMETER_MISSING', { name });
    return value;
  }

  /** The values of an MWS list (`FeedTypeList.Type.1`, `.2`, …) in the order of their numbers. */
  list(prefix: string): string[] {
    const numbered: Array<[number, string]> = [];
    for (const [name, value] of this.values) {
      if (!name.startsWith(`${prefix}.`)) continue;
      const index = name.slice(prefix.length + 1);
      if (!/^[1-9]\d{0,5}$/.test(index))
        throw new FeedError('HTTP_PARAMETER_INVALID', {
          name,
          value,
          detail: `list members are numbered ${prefix}.1, ${prefix}.2, …`,
        });
      numbered.push([Number(index), value]);
    }
    return numbered.sort((a, b) => a[0] - b[0]).map(([, value]) => value);
  }
}
