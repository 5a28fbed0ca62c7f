/**
 * The one escape helper of the web pages. Pages are built with the `html` tagged template: every interpolated
 * value is escaped unless it is itself `Html` (built by this template), so text from feeds, orders, notes, SKUs,
 * query strings and reports can only ever appear as text. There is deliberately no "raw" escape hatch.
 */
const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/** Text safe in element content and in quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`]/g, (c) => ENTITIES[c] as string);
}

/** Only this module holds the token, so only `html` can make Html out of a string. */
const TRUSTED: unique symbol = Symbol('trusted markup');

/** Markup that is already safe: made only by the `html` template. */
export class Html {
  constructor(
    token: typeof TRUSTED,
    readonly text: string,
  ) {
    if (token !== TRUSTED) throw new TypeError('Html is made only by the html template');
  }

  toString(): string {
    return this.text;
  }
}

export type Interpolation = Html | string | number | boolean | null | undefined | readonly Interpolation[];

function render(value: Interpolation): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return (value as readonly Interpolation[]).map(render).join('');
  return escapeHtml(String(value));
}

/** html`<p>${text}</p>`: the literal parts are markup, every value is escaped (arrays are joined). */
export function html(strings: TemplateStringsArray, ...values: Interpolation[]): Html {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i += 1) out += render(values[i]) + (strings[i + 1] ?? '');
  return new Html(TRUSTED, out);
}
