/**
 * The README is the front door: short, with the two commands a newcomer needs, and one link away from every page
 * of docs/. Every relative link in README.md, docs/*.md and the READMEs of samples/ and feeds/ must lead to a file
 * that exists, and to a heading that exists when it names one (GitHub's anchor rules: lower case, punctuation
 * dropped, spaces to hyphens, -1, -2 … for repeated headings).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { REPO_ROOT } from '../helpers/cli.js';

const README_LIMIT_BYTES = 20_480;
const DOCS = join(REPO_ROOT, 'docs');

const docPages = (): string[] =>
  readdirSync(DOCS)
    .filter((name) => name.endsWith('.md'))
    .sort();

const read = (path: string): string => readFileSync(path, 'utf8');

/** Markdown without fenced code blocks and inline code spans, where link syntax is only text. */
function prose(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/`[^`\n]*`/g, '');
}

/** The targets of the inline links and images of a page, e.g. `docs/http.md#security`. */
function linkTargets(markdown: string): string[] {
  return [...prose(markdown).matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1] as string);
}

/** The anchors GitHub gives a page's headings. */
function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  const withoutCode = markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
  for (const match of withoutCode.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = (match[1] as string)
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

/** Problems with one page's relative links, as `page: target: why`. */
function brokenLinks(page: string): string[] {
  const problems: string[] = [];
  const name = relative(REPO_ROOT, page);
  for (const target of linkTargets(read(page))) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto: … are not this repository's
    const [path = '', anchor] = target.split('#');
    const file = path === '' ? page : join(dirname(page), decodeURIComponent(path));
    if (!existsSync(file)) {
      problems.push(`${name}: ${target}: no such file`);
      continue;
    }
    if (anchor === undefined || !file.endsWith('.md') || statSync(file).isDirectory()) continue;
    if (!headingAnchors(read(file)).has(decodeURIComponent(anchor)))
      problems.push(`${name}: ${target}: no heading with that anchor`);
  }
  return problems;
}

describe('README as the front door', () => {
  const readme = join(REPO_ROOT, 'README.md');

  it(`is at most ${README_LIMIT_BYTES} bytes`, () => {
    expect(statSync(readme).size).toBeLessThanOrEqual(README_LIMIT_BYTES);
  });

  it('gives the two commands a newcomer needs', () => {
    expect(read(readme)).toContain('npm ci && npm start');
    expect(read(readme)).toContain('npm test');
  });

  it('links every page of docs/', () => {
    const linked = new Set(
      linkTargets(read(readme))
        .map((target) => target.split('#')[0] as string)
        .filter((path) => path.startsWith('docs/')),
    );
    expect(docPages().filter((name) => !linked.has(`docs/${name}`))).toEqual([]);
  });

  it('names nothing outside the repository', () => {
    for (const page of [readme, ...docPages().map((name) => join(DOCS, name))])
      expect([relative(REPO_ROOT, page), /\.\.\/shared/.test(read(page))]).toEqual([relative(REPO_ROOT, page), false]);
  });
});

describe('links in README.md, docs/ and the folder READMEs', () => {
  it('lead to files and headings that exist', () => {
    const folderReadmes = ['samples/README.md', 'feeds/README.md'].map((path) => join(REPO_ROOT, path));
    const pages = [join(REPO_ROOT, 'README.md'), ...docPages().map((name) => join(DOCS, name)), ...folderReadmes];
    expect(pages.flatMap(brokenLinks)).toEqual([]);
  });

  it('are recognised by this test, anchors included', () => {
    const sample =
      '# Which Redis\n## The drop folder (`feedproc watch`)\n## Notes\n## Notes\n```\n# not a heading\n```\n';
    expect([...headingAnchors(sample)]).toEqual(['which-redis', 'the-drop-folder-feedproc-watch', 'notes', 'notes-1']);
    expect(linkTargets('[a](docs/x.md#y) `[b](not/a/link.md)` ![c](img.svg "t")')).toEqual(['docs/x.md#y', 'img.svg']);
  });
});
