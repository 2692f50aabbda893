// -o custom-columns against the cases of kubectl's pkg/cmd/get/customcolumn_test.go (Apache-2.0,
// The Kubernetes Authors), and the -o parsing and template printers of output-format.ts.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TjobError, UsageError } from '../../../src/api/errors.js';
import {
  columnsFromSpec,
  columnsFromTemplate,
  CustomColumnsError,
  CustomColumnsPrinter,
  relaxedJsonPathExpression,
  type CustomColumn,
} from '../../../src/output/custom-columns.js';
import {
  OUTPUT_FORMATS,
  parseOutput,
  templatePrinter,
  type TemplateOptions,
} from '../../../src/output/output-format.js';

describe('custom-columns: relaxed paths (TestMassageJSONPath)', () => {
  for (const [input, expected] of [
    ['foo.bar', '{.foo.bar}'],
    ['{foo.bar}', '{.foo.bar}'],
    ['.foo.bar', '{.foo.bar}'],
    ['{.foo.bar}', '{.foo.bar}'],
    ['', ''],
  ]) {
    it(`${JSON.stringify(input)} → ${expected}`, () =>
      assert.equal(relaxedJsonPathExpression(input!), expected));
  }
  for (const input of ['{foo.bar', 'foo.bar}', '{foo.bar}}', '{{foo.bar}']) {
    it(`${input} is refused`, () =>
      assert.throws(() => relaxedJsonPathExpression(input), CustomColumnsError));
  }
});

describe('custom-columns: specs (TestNewColumnPrinterFromSpec)', () => {
  for (const [spec, message] of [
    ['', 'custom-columns format specified but no custom columns given'],
    ['invalid', 'unexpected custom-columns spec: invalid, expected <header>:<json-path-expr>'],
    ['invalid=foobar', 'unexpected custom-columns spec: invalid=foobar, expected <header>:<json-path-expr>'],
    ['invalid,foobar:blah', 'unexpected custom-columns spec: invalid, expected <header>:<json-path-expr>'],
  ]) {
    it(`${JSON.stringify(spec)} is refused`, () =>
      assert.throws(() => columnsFromSpec(spec!), { message: message! }));
  }
  it('HEADER:PATH pairs', () => {
    assert.deepEqual(
      columnsFromSpec('NAME:metadata.name,API_VERSION:apiVersion,IMAGE:.spec.containers[0].image'),
      [
        { header: 'NAME', fieldSpec: '{.metadata.name}' },
        { header: 'API_VERSION', fieldSpec: '{.apiVersion}' },
        { header: 'IMAGE', fieldSpec: '{.spec.containers[0].image}' },
      ],
    );
  });
});

describe('custom-columns: template files (TestNewColumnPrinterFromTemplate)', () => {
  const expected = [
    { header: 'NAME', fieldSpec: '{.metadata.name}' },
    { header: 'API_VERSION', fieldSpec: '{.apiVersion}' },
  ];
  it('a header line and a spec line', () => {
    assert.deepEqual(
      columnsFromTemplate('NAME               API_VERSION\n{metadata.name}    {apiVersion}'),
      expected,
    );
  });
  it('tabs and leading white space, CRLF', () => {
    assert.deepEqual(
      columnsFromTemplate(
        'NAME               \t\tAPI_VERSION\r\n\t\t\t\t\t\t\t{metadata.name}    {apiVersion}\r\n',
      ),
      expected,
    );
  });
  for (const [text, message] of [
    ['', 'invalid template, missing header line.'],
    ['invalid', 'invalid template, missing spec line.'],
    ['invalid=foobar', 'invalid template, missing spec line.'],
    ['invalid,foobar:blah', 'invalid template, missing spec line.'],
    ['A B\n.a', "number of headers (2) and field specifications (1) don't match"],
  ]) {
    it(`${JSON.stringify(text)} is refused`, () =>
      assert.throws(
        () => columnsFromTemplate(text!),
        (e: Error) => e instanceof CustomColumnsError && e.message.startsWith(message!),
      ));
  }
});

function printed(columns: CustomColumn[], objects: unknown[], noHeaders = false): string {
  let out = '';
  new CustomColumnsPrinter(columns, noHeaders).print(objects, (t) => (out += t));
  return out;
}

describe('custom-columns: rows (TestColumnPrint)', () => {
  const name = { header: 'NAME', fieldSpec: '{.metadata.name}' };
  const version = { header: 'API_VERSION', fieldSpec: '{.apiVersion}' };
  const foo = { apiVersion: 'baz', metadata: { name: 'foo' } };
  it('one object', () => assert.equal(printed([name], [foo]), 'NAME\nfoo\n'));
  it('a list', () => assert.equal(printed([name], [foo, { metadata: { name: 'bar' } }]), 'NAME\nfoo\nbar\n'));
  it('aligned columns', () =>
    assert.equal(printed([name, version], [foo]), 'NAME   API_VERSION\nfoo    baz\n'));
  it('<none> for a missing path', () =>
    assert.equal(
      printed([name, version, { header: 'NOT_FOUND', fieldSpec: '{.notFound}' }], [foo]),
      'NAME   API_VERSION   NOT_FOUND\nfoo    baz           <none>\n',
    ));
  it('terminal escapes are shown, not sent', () =>
    assert.equal(printed([name], [{ metadata: { name: '\x1b \r' } }]), 'NAME\n^[ \\r\n'));
  it('several values joined by commas, maps as Go prints them, null as <nil>', () =>
    assert.equal(
      printed(
        [
          { header: 'C', fieldSpec: '{.c[*].name}' },
          { header: 'L', fieldSpec: '{.labels}' },
          { header: 'N', fieldSpec: '{.n}' },
          { header: 'F', fieldSpec: '{.f}' },
        ],
        [{ c: [{ name: 'a' }, { name: 'b' }], labels: { y: '2', x: '1' }, n: null, f: 0.5 }],
      ),
      'C     L              N       F\na,b   map[x:1 y:2]   <nil>   0.5\n',
    ));
  it('--no-headers', () => assert.equal(printed([name], [foo], true), 'foo\n'));
  it('the header once, widths kept across calls (-w)', () => {
    let out = '';
    const p = new CustomColumnsPrinter([name, version], false);
    p.print([foo], (t) => (out += t));
    p.print([{ apiVersion: 'v', metadata: { name: 'x' } }], (t) => (out += t));
    p.print([], (t) => (out += t));
    assert.equal(out, 'NAME   API_VERSION\nfoo    baz\nx      v\n');
  });
  it('an empty list prints the header', () => assert.equal(printed([name], []), 'NAME\n'));
  it('a path that fails throws after the rows before it', () => {
    let out = '';
    const p = new CustomColumnsPrinter([{ header: 'FIRST', fieldSpec: '{.items[0]}' }], false);
    assert.throws(
      () => p.print([{ items: ['a'] }, { items: [] }], (t) => (out += t)),
      /array index out of bounds: index 0, length 0/,
    );
    assert.equal(out, 'FIRST\na\n');
  });
});

describe('-o: formats and arguments', () => {
  it('plain formats, FORMAT=ARGUMENT for the template ones', () => {
    assert.deepEqual(parseOutput(undefined), { format: 'table' });
    assert.deepEqual(parseOutput('wide'), { format: 'wide' });
    assert.deepEqual(parseOutput('jsonpath={.a=b}'), { format: 'jsonpath', argument: '{.a=b}' });
    assert.deepEqual(parseOutput('jsonpath'), { format: 'jsonpath', argument: '' });
    assert.deepEqual(parseOutput('custom-columns-file=f.txt'), {
      format: 'custom-columns-file',
      argument: 'f.txt',
    });
  });

  it('the list is sorted and complete', () => {
    assert.deepEqual([...OUTPUT_FORMATS], [...OUTPUT_FORMATS].sort());
    for (const f of OUTPUT_FORMATS) assert.equal(parseOutput(f).format, f);
  });

  it('refuses unknown formats and Go templates with a hint (usage errors)', () => {
    assert.throws(
      () => parseOutput('json=1'),
      (e: Error) =>
        e instanceof UsageError &&
        e.message ===
          'unable to match a printer suitable for the output format "json=1", allowed formats are: ' +
            'custom-columns,custom-columns-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,wide,yaml',
    );
    for (const f of [
      'go-template={{.metadata.name}}',
      'go-template-file=x',
      'template={{.}}',
      'templatefile=x',
    ])
      assert.throws(
        () => parseOutput(f),
        (e: Error) =>
          e instanceof UsageError && /not supported by tjob/.test(e.message) && /jsonpath/.test(e.hint!),
      );
  });
});

describe('-o: template printers', () => {
  const options = {
    noHeaders: false,
    allowMissingKeys: true,
    readFile: (): string => assert.fail('no file'),
  };
  const pods = [
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a' }, status: { phase: 'Succeeded' } },
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'b' }, status: { phase: 'Failed' } },
  ];
  const run = (o: string, print: 'list' | 'object', opts: TemplateOptions = options) => {
    let out = '';
    const p = templatePrinter(parseOutput(o), opts)!;
    if (print === 'list') p.printList(pods, (t) => (out += t));
    else p.printObject(pods[0], (t) => (out += t));
    return out;
  };

  it('none for the other formats', () =>
    assert.equal(templatePrinter(parseOutput('json'), options), undefined));

  it('jsonpath: a List of v1 for several objects, the object itself for one', () => {
    assert.equal(run('jsonpath={.apiVersion}/{.kind} {.items[*].metadata.name}', 'list'), 'v1/List a b');
    assert.equal(run('jsonpath={.kind} {.metadata.name}', 'object'), 'Pod a');
    assert.equal(run('jsonpath={.metadata}', 'list'), '{"resourceVersion":""}');
    assert.equal(run('jsonpath-as-json={.items[*].metadata.name}', 'list'), '[\n    "a",\n    "b"\n]\n');
  });

  it('jsonpath: missing keys print nothing unless --allow-missing-template-keys=false', () => {
    assert.equal(run('jsonpath=[{.spec.nope}]', 'object'), '[]');
    assert.throws(
      () => run('jsonpath=[{.spec.nope}]', 'object', { ...options, allowMissingKeys: false }),
      (e: Error) =>
        e instanceof TjobError &&
        !(e instanceof UsageError) &&
        e.message ===
          'error executing jsonpath "[{.spec.nope}]": Error executing template: spec is not found',
    );
  });

  it('jsonpath: kubectl errors for no template, a bad one, a failing one', () => {
    assert.throws(() => run('jsonpath=', 'list'), {
      message: 'template format specified but no template given',
    });
    assert.throws(
      () => run('jsonpath={.foo', 'list'),
      (e: Error) => e instanceof UsageError && e.message === 'error parsing jsonpath {.foo, unclosed action',
    );
    assert.throws(() => run('jsonpath={.items[5]}\n', 'list'), {
      message:
        'error executing jsonpath "{.items[5]}\\n": Error executing template: array index out of bounds: index 5, length 2',
    });
  });

  it('the -file forms read the file; a missing file is a usage error in Go words', () => {
    const files = {
      ...options,
      readFile: (p: string) =>
        ({ 'jp.txt': '{.items[*].status.phase}', 'cc.txt': 'N P\n.metadata.name .status.phase\n' })[p] ??
        missing(p),
    };
    assert.equal(run('jsonpath-file=jp.txt', 'list', files), 'Succeeded Failed');
    assert.equal(
      run('custom-columns-file=cc.txt', 'list', files),
      'N     P\na     Succeeded\nb     Failed\n',
    );
    // The file form keeps its header, as kubectl's does.
    assert.equal(
      run('custom-columns-file=cc.txt', 'list', { ...files, noHeaders: true }),
      'N     P\na     Succeeded\nb     Failed\n',
    );
    assert.throws(() => run('jsonpath-file=nope', 'list', files), {
      message: 'error reading --template nope, open nope: no such file or directory',
    });
    assert.throws(() => run('custom-columns-file=nope', 'list', files), {
      message: 'error reading template nope, open nope: no such file or directory',
    });
  });

  it('custom-columns: rows of a list or of one object; --no-headers', () => {
    assert.equal(
      run('custom-columns=NAME:.metadata.name,PHASE:.status.phase', 'list'),
      'NAME   PHASE\na      Succeeded\nb      Failed\n',
    );
    assert.equal(run('custom-columns=NAME:.metadata.name', 'object'), 'NAME\na\n');
    assert.equal(
      run('custom-columns=NAME:.metadata.name', 'list', { ...options, noHeaders: true }),
      'a\nb\n',
    );
    assert.throws(
      () => run('custom-columns=NAME', 'list'),
      (e: Error) => e instanceof UsageError,
    );
  });
});

function missing(path: string): never {
  throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
}
