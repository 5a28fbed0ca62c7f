import { escapeHtml, html, Html } from '../../src/http/pages/html.js';

describe("the pages' escape helper", () => {
  it('escapes every interpolated value and only those', () => {
    const note = `<script>alert("x")</script> & 'quotes' \`tick\``;
    expect(html`<p title="${note}">${note}</p>`.text).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39; &#96;tick&#96;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39; &#96;tick&#96;</p>',
    );
  });

  it('keeps markup made by html as it is, joins lists, and leaves out null, undefined and false', () => {
    const items = ['<a>', 'b&c'].map((s) => html`<li>${s}</li>`);
    expect(html`<ul>${items}</ul>${null}${undefined}${false}${0}`.text).toBe(
      '<ul><li>&lt;a&gt;</li><li>b&amp;c</li></ul>0',
    );
  });

  it('makes Html only through the template', () => {
    expect(() => new Html(Symbol('trusted markup') as never, '<b>')).toThrow(TypeError);
    expect(escapeHtml('<img src=x onerror=alert(1)>')).toBe('&lt;img src=x onerror=alert(1)&gt;');
  });
});
