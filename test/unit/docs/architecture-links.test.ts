// ARCHITECTURE.md and docs/ are how a newcomer finds the file behind a rule, and the code cites
// them back. This test keeps both directions true: every repository path and every link those
// pages give exists (a heading for an anchor), every `docs/X.md §N` or `deviation N` the code and
// tests cite names a section that exists, every `*.md` file a source comment names exists, and
// nothing points outside the repository to the team's old notes.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../../../..');

/** Files under `dir` (repo-relative), skipping build output and dependencies. */
function filesUnder(dir: string, keep: (path: string) => boolean): string[] {
  const out: string[] = [];
  const walk = (abs: string): void => {
    for (const name of readdirSync(abs).sort()) {
      if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
      const p = join(abs, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (keep(p)) out.push(relative(ROOT, p));
    }
  };
  walk(join(ROOT, dir));
  return out;
}

const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

const docPages = ['ARCHITECTURE.md', ...filesUnder('docs', (p) => p.endsWith('.md'))];
const code = [
  ...filesUnder('src', (p) => p.endsWith('.ts')),
  ...filesUnder('test', (p) => p.endsWith('.ts')),
  ...filesUnder('scripts', () => true),
  ...filesUnder('bench', (p) => p.endsWith('.ts')),
  ...filesUnder('samples', (p) => /\.ya?ml$/.test(p)),
  'eslint.config.js',
];
const topLevelMarkdown = readdirSync(ROOT).filter((n) => n.endsWith('.md'));

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
export function headingSlug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The headings of a markdown page (outside code blocks), as written. */
function headings(markdown: string): string[] {
  const out: string[] = [];
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const m = !fenced && /^#{1,6}\s+(.*)$/.exec(line);
    if (m) out.push(m[1]!);
  }
  return out;
}

function anchorsOf(path: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const h of headings(read(path))) {
    const base = headingSlug(h);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** Section numbers of a page: `## 2.5 Pod counts` gives 2.5; `## 1. Images` gives 1. */
function sectionNumbers(path: string): Set<string> {
  const out = new Set<string>();
  for (const h of headings(read(path))) {
    const m = /^(\d+(?:\.\d+)*)\.?\s/.exec(h);
    if (m) out.add(m[1]!);
  }
  return out;
}

const REPO_DIRS = ['src', 'test', 'bin', 'scripts', 'samples', 'bench', 'docs'];
const REPO_FILES = /^([\w.-]+\.(md|js|mjs)|package\.json|tsconfig\.json)$/;

/** The repository paths a page cites in backticks (`src/...`, `eslint.config.js`), placeholders skipped. */
export function citedRepoPaths(markdown: string): string[] {
  const out = new Set<string>();
  for (const m of markdown.matchAll(/`([^`\s]+)`/g)) {
    const token = m[1]!.replace(/[),.:;]+$/, '');
    if (/[<>*…]/.test(token)) continue;
    const top = token.split('/')[0]!;
    if ((REPO_DIRS.includes(top) && token.includes('/')) || (!token.includes('/') && REPO_FILES.test(token)))
      out.add(token.replace(/\/$/, ''));
  }
  return [...out];
}

/** Bare file names in backticks (`pod-supervisor.ts`): they must name a file of src/ or test/. */
function citedBareSourceNames(markdown: string): string[] {
  return [...markdown.matchAll(/`([\w.-]+\.ts)`/g)].map((m) => m[1]!);
}

const sourceNames = new Set(
  [...filesUnder('src', () => true), ...filesUnder('test', () => true)].map((p) => p.split('/').pop()!),
);

describe('ARCHITECTURE.md and docs/', () => {
  it('has the pages the issue asks for', () => {
    for (const page of [
      'ARCHITECTURE.md',
      'docs/job.md',
      'docs/cronjob.md',
      'docs/cli.md',
      'docs/pod-on-docker.md',
      'docs/state-directory.md',
      'docs/deviations.md',
    ])
      assert.ok(existsSync(join(ROOT, page)), `${page} is missing`);
  });

  it('finds cited paths and links (the extractors work)', () => {
    const paths = citedRepoPaths(read('ARCHITECTURE.md'));
    assert.ok(paths.includes('src/ports/pod-runtime.ts'), 'backticked paths');
    assert.ok(!paths.some((p) => p.startsWith('pkg/')), 'upstream paths are not repository paths');
    assert.deepEqual(citedRepoPaths('`eslint.config.js`, `state.json`, `src/runtime/<name>/`, `docs/`'), [
      'eslint.config.js',
      'docs',
    ]);
    assert.equal(headingSlug('3.7 Pod failure policy'), '37-pod-failure-policy');
    assert.equal(headingSlug("Requests to a job's controller"), 'requests-to-a-jobs-controller');
    assert.equal(headingSlug('2.4 Fixed intervals (@every)'), '24-fixed-intervals-every');
  });

  it('cites only repository paths that exist', () => {
    const missing: string[] = [];
    for (const page of docPages) {
      for (const p of citedRepoPaths(read(page)))
        if (!existsSync(join(ROOT, p))) missing.push(`${page}: ${p}`);
      for (const n of citedBareSourceNames(read(page)))
        if (!sourceNames.has(n)) missing.push(`${page}: ${n} (no such file in src/ or test/)`);
    }
    assert.deepEqual(missing, []);
  });

  it('links only to files and headings that exist', () => {
    const broken: string[] = [];
    for (const page of [...docPages, ...topLevelMarkdown.filter((n) => !docPages.includes(n))]) {
      for (const m of read(page).matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1]!;
        if (/^[a-z]+:/.test(target)) continue; // https:, mailto:
        const [file, anchor] = target.split('#') as [string, string | undefined];
        const path = file === '' ? page : relative(ROOT, resolve(ROOT, dirname(page), file));
        if (!existsSync(join(ROOT, path))) {
          broken.push(`${page}: ${target} (no file ${path})`);
          continue;
        }
        if (anchor !== undefined && path.endsWith('.md') && !anchorsOf(path).has(anchor))
          broken.push(`${page}: ${target} (no heading #${anchor} in ${path})`);
      }
    }
    assert.deepEqual(broken, []);
  });
});

describe('what the code cites', () => {
  const texts = [...code, ...topLevelMarkdown].map((path) => ({ path, text: read(path) }));

  it('never points to the notes outside the repository', () => {
    // Built from pieces so that this file does not match itself.
    const outside = new RegExp(['\\.\\./' + 'shared', 'shared/(' + 'design|spec|research)'].join('|'));
    const hits: string[] = [];
    for (const { path, text } of texts)
      text.split('\n').forEach((line, i) => {
        if (outside.test(line)) hits.push(`${path}:${i + 1}: ${line.trim()}`);
      });
    assert.deepEqual(hits, []);
  });

  it('names only markdown files that exist', () => {
    const missing: string[] = [];
    for (const { path, text } of texts) {
      if (!path.startsWith('src/')) continue;
      for (const m of text.matchAll(/(?<![\w/.-])((?:[\w-]+\/)*[\w-]+\.md)\b/g)) {
        const name = m[1]!;
        if (!existsSync(join(ROOT, name))) missing.push(`${path}: ${name}`);
      }
    }
    assert.deepEqual(missing, []);
  });

  it('cites sections that exist: a docs page with §N or #anchor, deviation N', () => {
    const deviations = sectionNumbers('docs/deviations.md');
    const broken: string[] = [];
    for (const { path, text } of texts) {
      for (const m of text.matchAll(/\b(docs\/[\w-]+\.md) §(\d+(?:\.\d+)*)/g)) {
        const [, page, section] = m as unknown as [string, string, string];
        if (!existsSync(join(ROOT, page)) || !sectionNumbers(page).has(section))
          broken.push(`${path}: ${page} §${section}`);
      }
      for (const m of text.matchAll(/\b((?:docs\/[\w-]+|ARCHITECTURE)\.md)#([\w-]+)/g)) {
        const [, page, anchor] = m as unknown as [string, string, string];
        if (!existsSync(join(ROOT, page)) || !anchorsOf(page).has(anchor))
          broken.push(`${path}: ${page}#${anchor}`);
      }
      for (const m of text.matchAll(/\bdeviations? (\d+)(?:(?:, | and )(\d+))?/g)) {
        for (const n of [m[1], m[2]])
          if (n !== undefined && !deviations.has(n)) broken.push(`${path}: deviation ${n}`);
      }
    }
    assert.deepEqual(broken, []);
  });
});
