// The JSONPath evaluator against the cases of k8s.io/client-go/util/jsonpath (jsonpath_test.go and
// parser_test.go, Apache-2.0, The Kubernetes Authors), on decoded JSON as kubectl gives it: Go
// structs become maps, so their fields print in sorted key order, and type names in errors are
// those of decoded JSON (`map[string]interface {}`). Outputs were also checked against kubectl
// 1.32 (`kubectl label --local -f OBJ -o jsonpath=...`).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { JsonPath, JsonPathError, JsonPathParseError } from '../../../src/output/jsonpath.js';
import { parseJsonPath } from '../../../src/output/jsonpath-parse.js';

type Case = [name: string, template: string, input: unknown, expect: string | Error];

const FAILS = new Error('fails');

function run(cases: Case[], allowMissingKeys: boolean): void {
  for (const [name, template, input, expect] of cases) {
    it(`${name}: ${template}`, () => {
      const data = JSON.parse(JSON.stringify(input ?? null)) as unknown;
      const exec = () => new JsonPath(template, { allowMissingKeys }).execute(data);
      if (expect === FAILS) assert.throws(exec, (e) => e instanceof JsonPathError);
      else if (expect instanceof Error)
        assert.throws(exec, (e: Error) => e instanceof JsonPathError && e.message === expect.message);
      else assert.equal(exec(), expect);
    });
  }
}

const types = {
  bools: [true, false, true, false],
  integers: [1, 2, 3, 4],
  floats: [1.0, 2.2, 3.3, 4.0],
  strings: ['one', 'two', 'three', 'four'],
  interfaces: [true, 'one', 1, 1.1],
  maps: [
    { name: 'one', value: 1 },
    { name: 'two', value: 2.02 },
    { name: 'three', value: 3.03 },
    { name: 'four', value: 4.04 },
  ],
};

describe('jsonpath: slices of each type (TestTypesInput)', () => {
  run(
    [
      ['boolSlice', '{ .bools }', types, '[true,false,true,false]'],
      ['boolSliceIndex', '{ .bools[0] }', types, 'true'],
      ['boolSliceIndex', '{ .bools[-1] }', types, 'false'],
      ['boolSubSlice', '{ .bools[0:2] }', types, 'true false'],
      ['boolSubSliceFirst2', '{ .bools[:2] }', types, 'true false'],
      ['boolSubSliceStep2', '{ .bools[:4:2] }', types, 'true true'],
      ['integerSlice', '{ .integers }', types, '[1,2,3,4]'],
      ['integerSliceIndex', '{ .integers[0] }', types, '1'],
      ['integerSliceIndexReverse', '{ .integers[-2] }', types, '3'],
      ['integerSubSliceFirst2', '{ .integers[0:2] }', types, '1 2'],
      ['integerSubSliceFirst2Alt', '{ .integers[:2] }', types, '1 2'],
      ['integerSubSliceStep2', '{ .integers[:4:2] }', types, '1 3'],
      ['floatSlice', '{ .floats }', types, '[1,2.2,3.3,4]'],
      ['floatSliceIndex', '{ .floats[0] }', types, '1'],
      ['floatSliceIndexReverse', '{ .floats[-2] }', types, '3.3'],
      ['floatSubSliceFirst2', '{ .floats[0:2] }', types, '1 2.2'],
      ['floatSubSliceStep2', '{ .floats[:4:2] }', types, '1 3.3'],
      ['stringSlice', '{ .strings }', types, '["one","two","three","four"]'],
      ['stringSliceIndex', '{ .strings[0] }', types, 'one'],
      ['stringSliceIndexReverse', '{ .strings[-2] }', types, 'three'],
      ['stringSubSliceFirst2', '{ .strings[0:2] }', types, 'one two'],
      ['stringSubSliceStep2', '{ .strings[:4:2] }', types, 'one three'],
      ['interfaceSlice', '{ .interfaces }', types, '[true,"one",1,1.1]'],
      ['interfaceSliceIndex', '{ .interfaces[0] }', types, 'true'],
      ['interfaceSliceIndexReverse', '{ .interfaces[-2] }', types, '1'],
      ['interfaceSubSliceFirst2', '{ .interfaces[0:2] }', types, 'true one'],
      ['interfaceSubSliceStep2', '{ .interfaces[:4:2] }', types, 'true 1'],
      [
        'mapSlice',
        '{ .maps }',
        types,
        '[{"name":"one","value":1},{"name":"two","value":2.02},{"name":"three","value":3.03},{"name":"four","value":4.04}]',
      ],
      ['mapSliceIndex', '{ .maps[0] }', types, '{"name":"one","value":1}'],
      ['mapSliceIndexReverse', '{ .maps[-2] }', types, '{"name":"three","value":3.03}'],
      ['mapSubSliceFirst2', '{ .maps[0:2] }', types, '{"name":"one","value":1} {"name":"two","value":2.02}'],
      [
        'mapSubSliceStepOdd',
        '{ .maps[::2] }',
        types,
        '{"name":"one","value":1} {"name":"three","value":3.03}',
      ],
      [
        'mapSubSliceStepEven',
        '{ .maps[1::2] }',
        types,
        '{"name":"two","value":2.02} {"name":"four","value":4.04}',
      ],
    ],
    false,
  );
});

const storeData = {
  Name: 'jsonpath',
  Book: [
    { Category: 'reference', Author: 'Nigel Rees', Title: 'Sayings of the Centurey', Price: 8.95 },
    { Category: 'fiction', Author: 'Evelyn Waugh', Title: 'Sword of Honour', Price: 12.99 },
    { Category: 'fiction', Author: 'Herman Melville', Title: 'Moby Dick', Price: 8.99 },
  ],
  Bicycle: [
    { Color: 'red', Price: 19.95, IsNew: true },
    { Color: 'green', Price: 20.01, IsNew: false },
  ],
  Labels: { engieer: 10, 'web/html': 15, 'k8s-app': 20 },
  Employees: { jason: 'manager', dan: 'clerk' },
};

describe('jsonpath: fields, ranges, filters, unions (TestStructInput)', () => {
  run(
    [
      ['plain', 'hello jsonpath', null, 'hello jsonpath'],
      ['recursive', '{..}', [1, 2, 3], '[1,2,3]'],
      ['filter', '{[?(@<5)]}', [2, 6, 3, 7], '2 3'],
      ['quote', '{"{"}', null, '{'],
      ['union', '{[1,3,4]}', [0, 1, 2, 3, 4], '1 3 4'],
      ['array', '{[0:2]}', ['Monday', 'Tudesday'], 'Monday Tudesday'],
      ['variable', 'hello {.Name}', storeData, 'hello jsonpath'],
      ['dict/', '{$.Labels.web/html}', storeData, '15'],
      ['dict/', '{$.Employees.jason}', storeData, 'manager'],
      ['dict/', '{$.Employees.dan}', storeData, 'clerk'],
      ['dict-', '{.Labels.k8s-app}', storeData, '20'],
      ['nest', '{.Bicycle[*].Color}', storeData, 'red green'],
      ['allarray', '{.Book[*].Author}', storeData, 'Nigel Rees Evelyn Waugh Herman Melville'],
      // Sorted keys: Color, IsNew, Price.
      [
        'allfields',
        '{range .Bicycle[*]}{ "{" }{ @.* }{ "} " }{end}',
        storeData,
        '{red true 19.95} {green false 20.01} ',
      ],
      ['recurfields', '{..Price}', storeData, '19.95 20.01 8.95 12.99 8.99'],
      ['recurdotfields', '{...Price}', storeData, '19.95 20.01 8.95 12.99 8.99'],
      [
        'allstructsSlice',
        '{.Bicycle}',
        storeData,
        '[{"Color":"red","IsNew":true,"Price":19.95},{"Color":"green","IsNew":false,"Price":20.01}]',
      ],
      [
        'allstructs',
        '{range .Bicycle[*]}{ @ }{ " " }{end}',
        storeData,
        '{"Color":"red","IsNew":true,"Price":19.95} {"Color":"green","IsNew":false,"Price":20.01} ',
      ],
      [
        'lastarray',
        '{.Book[-1:]}',
        storeData,
        '{"Author":"Herman Melville","Category":"fiction","Price":8.99,"Title":"Moby Dick"}',
      ],
      [
        'recurarray',
        '{..Book[2]}',
        storeData,
        '{"Author":"Herman Melville","Category":"fiction","Price":8.99,"Title":"Moby Dick"}',
      ],
      ['bool', '{.Bicycle[?(@.IsNew==true)]}', storeData, '{"Color":"red","IsNew":true,"Price":19.95}'],
    ],
    false,
  );

  describe('missing keys allowed', () => {
    run(
      [
        ['nonexistent field', '{.hello}', storeData, ''],
        ['nonexistent field 2', 'before-{.hello}after', storeData, 'before-after'],
      ],
      true,
    );
  });

  describe('failures', () => {
    run(
      [
        ['invalid identifier', '{hello}', storeData, new Error('unrecognized identifier hello')],
        ['nonexistent field', '{.hello}', storeData, new Error('hello is not found')],
        [
          'invalid array',
          '{.Labels[0]}',
          storeData,
          new Error('map[string]interface {} is not array or slice'),
        ],
        [
          'invalid filter operator',
          '{.Book[?(@.Price<>10)]}',
          storeData,
          new Error('unrecognized filter operator <>'),
        ],
        [
          'redundant end',
          '{range .Labels.*}{@}{end}{end}',
          storeData,
          new Error('not in range, nothing to end'),
        ],
      ],
      false,
    );
  });

  it('superrecurfields: `{....Price}` does not parse', () => {
    assert.throws(
      () =>
        new JsonPath('{............................................................Price}', {
          allowMissingKeys: false,
        }),
      JsonPathParseError,
    );
  });
});

const points = [
  { id: 'i1', x: 4, y: -5 },
  { id: 'i2', x: -2, y: -5, z: 1 },
  { id: 'i3', x: 8, y: 3 },
  { id: 'i4', x: -6, y: -1 },
  { id: 'i5', x: 0, y: 2, z: 1 },
  { id: 'i6', x: 1, y: 4 },
  { id: 'i7', x: null, y: 4 },
];

describe('jsonpath: decoded JSON (TestJSONInput)', () => {
  run(
    [
      ['exists filter', '{[?(@.z)].id}', points, 'i2 i5'],
      ['bracket key', "{[0]['id']}", points, 'i1'],
      ['nil value', "{[-1]['x']}", points, 'null'],
    ],
    false,
  );
});

const nodes = {
  kind: 'List',
  items: [
    {
      kind: 'None',
      metadata: { name: '127.0.0.1', labels: { 'kubernetes.io/hostname': '127.0.0.1' } },
      status: {
        capacity: { cpu: '4' },
        ready: true,
        addresses: [{ type: 'LegacyHostIP', address: '127.0.0.1' }],
      },
    },
    {
      kind: 'None',
      metadata: { name: '127.0.0.2', labels: { 'kubernetes.io/hostname': '127.0.0.2' } },
      status: {
        capacity: { cpu: '8' },
        ready: false,
        addresses: [
          { type: 'LegacyHostIP', address: '127.0.0.2' },
          { type: 'another', address: '127.0.0.3' },
        ],
      },
    },
  ],
  users: [
    { name: 'myself', user: {} },
    { name: 'e2e', user: { username: 'admin', password: 'secret' } },
  ],
};

describe('jsonpath: Kubernetes lists (TestKubernetes)', () => {
  run(
    [
      ['range item', '{range .items[*]}{.metadata.name}, {end}{.kind}', nodes, '127.0.0.1, 127.0.0.2, List'],
      [
        'range item with quote',
        '{range .items[*]}{.metadata.name}{"\\t"}{end}',
        nodes,
        '127.0.0.1\t127.0.0.2\t',
      ],
      ['range addresss', '{.items[*].status.addresses[*].address}', nodes, '127.0.0.1 127.0.0.2 127.0.0.3'],
      [
        'double range',
        '{range .items[*]}{range .status.addresses[*]}{.address}, {end}{end}',
        nodes,
        '127.0.0.1, 127.0.0.2, 127.0.0.3, ',
      ],
      ['item name', '{.items[*].metadata.name}', nodes, '127.0.0.1 127.0.0.2'],
      [
        'union nodes capacity',
        "{.items[*]['metadata.name', 'status.capacity']}",
        nodes,
        '127.0.0.1 127.0.0.2 {"cpu":"4"} {"cpu":"8"}',
      ],
      [
        'range nodes capacity',
        '{range .items[*]}[{.metadata.name}, {.status.capacity}] {end}',
        nodes,
        '[127.0.0.1, {"cpu":"4"}] [127.0.0.2, {"cpu":"8"}] ',
      ],
      ['user password', '{.users[?(@.name=="e2e")].user.password}', nodes, 'secret'],
      ['hostname', '{.items[0].metadata.labels.kubernetes\\.io/hostname}', nodes, '127.0.0.1'],
      [
        'hostname filter',
        '{.items[?(@.metadata.labels.kubernetes\\.io/hostname=="127.0.0.1")].kind}',
        nodes,
        'None',
      ],
      ['bool item', '{.items[?(@..ready==true)].metadata.name}', nodes, '127.0.0.1'],
      // Go walks maps in random order; sorted here: items before users, metadata before status.
      ['recursive name', '{..name}', nodes, '127.0.0.1 127.0.0.2 myself e2e'],
    ],
    false,
  );
});

const pods = {
  items: [
    {
      metadata: { name: 'pod1' },
      spec: {
        containers: [
          { name: 'foo', another: [{ name: 'value1' }, { name: 'value2' }] },
          { name: 'bar', another: [{ name: 'value1' }, { name: 'value2' }] },
        ],
      },
    },
    {
      metadata: { name: 'pod2' },
      spec: { containers: [{ name: 'baz', another: [{ name: 'value1' }, { name: 'value2' }] }] },
    },
  ],
};

describe('jsonpath: ranges (TestEmptyRange, TestNestedRanges)', () => {
  run(
    [
      ['empty range', '{range .items[*]}{.metadata.name}{end}', { items: [] }, ''],
      [
        'empty nested range',
        '{range .items[*]}{.metadata.name}{":"}{range @.spec.containers[*]}{.name}{","}{end}{"+"}{end}',
        { items: [] },
        '',
      ],
    ],
    true,
  );
  run(
    [
      [
        'nested range with a trailing newline',
        '{range .items[*]}{.metadata.name}{":"}{range @.spec.containers[*]}{.name}{","}{end}{"+"}{end}',
        pods,
        'pod1:foo,bar,+pod2:baz,+',
      ],
      [
        'nested range with a trailing character within another nested range',
        '{range .items[*]}{.metadata.name}{"~"}{range @.spec.containers[*]}{.name}{":"}' +
          '{range @.another[*]}{.name}{","}{end}{"+"}{end}{"#"}{end}',
        pods,
        'pod1~foo:value1,value2,+bar:value1,value2,+#pod2~baz:value1,value2,+#',
      ],
      [
        'two nested ranges at the same level',
        '{range .items[*]}{.metadata.name}{"\\t"}{range @.spec.containers[*]}{.name}{" "}{end}{"\\t"}' +
          '{range @.spec.containers[*]}{.name}{" "}{end}{"\\n"}{end}',
        pods,
        'pod1\tfoo bar \tfoo bar \npod2\tbaz \tbaz \n',
      ],
    ],
    false,
  );
});

const annotated = {
  kind: 'List',
  items: [
    { kind: 'Pod', metadata: { name: 'pod1', annotations: { color: 'blue' } } },
    { kind: 'Pod', metadata: { name: 'pod2' } },
    { kind: 'Pod', metadata: { name: 'pod3', annotations: { color: 'green' } } },
    { kind: 'Pod', metadata: { name: 'pod4', annotations: { color: 'blue' } } },
  ],
};

describe('jsonpath: filters over items without the key (TestFilterPartialMatchesSometimesMissingAnnotations)', () => {
  const template = '{.items[?(@.metadata.annotations.color=="blue")].metadata.name}';
  run([['missing keys allowed', template, annotated, 'pod1 pod4']], true);
  run([['missing keys an error', template, annotated, FAILS]], false);
});

const containers = (n: number) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  spec: {
    containers: Array.from({ length: n }, (_, i) => ({ image: 'radial/busyboxplus:curl', name: `fake${i}` })),
  },
});

describe('jsonpath: negative indexes (TestNegativeIndex)', () => {
  const d = containers(4);
  run(
    [
      ['[0]', '{.spec.containers[0].name}', d, 'fake0'],
      ['[0:0] is empty', '{.spec.containers[0:0].name}', d, ''],
      ['[0:-1]', '{.spec.containers[0:-1].name}', d, 'fake0 fake1 fake2'],
      [
        '[-1:0]',
        '{.spec.containers[-1:0].name}',
        d,
        new Error('starting index 3 is greater than ending index 0'),
      ],
      ['[-1]', '{.spec.containers[-1].name}', d, 'fake3'],
      ['[-1:]', '{.spec.containers[-1:].name}', d, 'fake3'],
      ['[-2]', '{.spec.containers[-2].name}', d, 'fake2'],
      ['[-2:]', '{.spec.containers[-2:].name}', d, 'fake2 fake3'],
      ['[-3]', '{.spec.containers[-3].name}', d, 'fake1'],
      ['[-4]', '{.spec.containers[-4].name}', d, 'fake0'],
      ['[-4:]', '{.spec.containers[-4:].name}', d, 'fake0 fake1 fake2 fake3'],
      ['[-5]', '{.spec.containers[-5].name}', d, new Error('array index out of bounds: index -1, length 4')],
      ['[5:5] is empty', '{.spec.containers[5:5].name}', d, ''],
      ['[-5:-5] is empty', '{.spec.containers[-5:-5].name}', d, ''],
      [
        '[3:1]',
        '{.spec.containers[3:1].name}',
        d,
        new Error('starting index 3 is greater than ending index 1'),
      ],
      [
        '[-1:-2]',
        '{.spec.containers[-1:-2].name}',
        d,
        new Error('starting index 3 is greater than ending index 2'),
      ],
      ['[5]', '{.spec.containers[5].name}', d, new Error('array index out of bounds: index 5, length 4')],
    ],
    false,
  );
});

describe('jsonpath: a filter without @ (TestRunningPodsJSONPathOutput)', () => {
  const running = {
    kind: 'List',
    items: [
      { kind: 'Pod', metadata: { name: 'pod1' }, status: { phase: 'Running' } },
      { kind: 'Pod', metadata: { name: 'pod2' }, status: { phase: 'Running' } },
      { kind: 'Pod', metadata: { name: 'pod3' }, status: { phase: 'Running' } },
      { resourceVersion: '' },
    ],
  };
  run(
    [
      [
        'range over pods without selecting the last one',
        '{range .items[?(.status.phase=="Running")]}{.metadata.name}{" is Running\\n"}{end}',
        running,
        'pod1 is Running\npod2 is Running\npod3 is Running\n',
      ],
    ],
    true,
  );
});

describe('jsonpath: steps (TestStep)', () => {
  const d = containers(6);
  run(
    [
      ['[0:]', '{.spec.containers[0:].name}', d, 'fake0 fake1 fake2 fake3 fake4 fake5'],
      ['[0:6:]', '{.spec.containers[0:6:].name}', d, 'fake0 fake1 fake2 fake3 fake4 fake5'],
      ['[0:6:1]', '{.spec.containers[0:6:1].name}', d, 'fake0 fake1 fake2 fake3 fake4 fake5'],
      ['[0:6:0]', '{.spec.containers[0:6:0].name}', d, new Error('step must be > 0')],
      ['[0:6:-1]', '{.spec.containers[0:6:-1].name}', d, new Error('step must be > 0')],
      ['[1:4:2]', '{.spec.containers[1:4:2].name}', d, 'fake1 fake3'],
      ['[1:4:3]', '{.spec.containers[1:4:3].name}', d, 'fake1'],
      ['[1:4:4]', '{.spec.containers[1:4:4].name}', d, 'fake1'],
      ['[0:6:2]', '{.spec.containers[0:6:2].name}', d, 'fake0 fake2 fake4'],
      ['[0:6:3]', '{.spec.containers[0:6:3].name}', d, 'fake0 fake3'],
      ['[0:6:5]', '{.spec.containers[0:6:5].name}', d, 'fake0 fake5'],
      ['[0:6:6]', '{.spec.containers[0:6:6].name}', d, 'fake0'],
    ],
    false,
  );
});

// Beyond client-go's tests: what kubectl 1.32 printed for the same templates.
const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p2', annotations: { html: '<a&b>' } },
  spec: {
    containers: [
      { name: 'c1', image: 'i1', args: ['a', 'b', 'c'], n: 1, f: 1.5, b: true },
      { name: 'c2', image: 'i2', args: [], n: 2, f: 2.5, b: false },
    ],
  },
  status: { big: 1234567.5, none: null },
};

describe('jsonpath: as kubectl prints it', () => {
  run(
    [
      ['a float64 as %v', '{.status.big} {.spec.containers[*].f}', pod, '1.2345675e+06 1.5 2.5'],
      ['literals', '{3} {2.0} {true} {"a\\tb"} {\'x\'}', pod, '3 2 true a\tb x'],
      [
        'JSON is HTML-safe as Go writes it',
        '{.metadata.annotations}',
        pod,
        '{"html":"\\u003ca\\u0026b\\u003e"}',
      ],
      ['a string walked by * gives its bytes', '{.metadata.name.*}', pod, '112 50'],
      ['{.} is a missing key', '{.}', pod, ''],
      ['{@} is the object', '{.spec.containers[0].args}{@.kind}', pod, '["a","b","c"]Pod'],
      [
        'int64 data does not equal a float literal',
        '{.spec.containers[?(@.n==1.0)]}',
        pod,
        new Error('incompatible types for comparison'),
      ],
      [
        'nor a string',
        '{.spec.containers[?(@.name==1)]}',
        pod,
        new Error('incompatible types for comparison'),
      ],
      [
        'bools have no order',
        '{.spec.containers[?(@.b<true)]}',
        pod,
        new Error('invalid type for comparison'),
      ],
      ['null does not compare', '{[?(@.none=="x")]}', [pod.status], new Error('invalid type for comparison')],
      ['floats compare with floats', '{.spec.containers[?(@.f>=2.0)].name}', pod, 'c2'],
      [
        'strings compare',
        '{.spec.containers[?(@.name<"c2")].name} {.spec.containers[?(@.name!="c1")].name}',
        pod,
        'c1 c2',
      ],
      [
        'only one value compares',
        '{.spec.containers[?(@.args[*]=="a")].name}',
        pod,
        new Error('can only compare one element at a time'),
      ],
      // client-go keeps an item whose exists-path failed after yielding values (an index out of
      // bounds yields the array it indexed), so both containers pass.
      ['exists with a failing index', '{.spec.containers[?(@.args[5])].name}', pod, 'c1 c2'],
      [
        'a map cannot be filtered',
        '{.status[?(@.x)]}',
        pod,
        new Error('map[big:1.2345675e+06 none:<nil>] is not array or slice and cannot be filtered'),
      ],
      ['a string is not an array', '{.metadata.name[0]}', pod, new Error('string is not array or slice')],
      [
        'an empty range still checks its body',
        '{range .nope[*]}{[?(@.x)]}{end}',
        pod,
        new Error('<invalid reflect.Value> is not array or slice and cannot be filtered'),
      ],
      [
        'a range without end runs the rest per item, then once more',
        '{range .spec.containers[*]}{.name}',
        pod,
        'c1c2',
      ],
      ['a range over nothing prints nothing', '{range .nope[*]}x{end}done', pod, 'done'],
    ],
    true,
  );

  it('-o jsonpath-as-json prints each action as an indented JSON array', () => {
    const j = new JsonPath('{.spec.containers[*].name}{2.5}', { allowMissingKeys: true, outputJson: true });
    assert.equal(j.execute(pod), '[\n    "c1",\n    "c2"\n]\n[\n    2.5\n]\n');
  });
});

describe('jsonpath: parse errors (TestFailParser)', () => {
  for (const [name, text, message] of [
    ['unclosed action', '{.hello', 'unclosed action'],
    ['unrecognized character', '{*}', "unrecognized character in action: U+002A '*'"],
    ['invalid number', '{+12.3.0}', 'cannot parse number +12.3.0'],
    ['unterminated array', '{[1}', 'unterminated array'],
    ['unterminated filter', '{[?(.price]}', 'unterminated filter'],
    ['invalid multiple recursive descent', '{........}', 'invalid multiple recursive descent'],
    ['malformat input', '{\\\\\\}', "unrecognized character in action: U+005C '\\'"],
    ['double quotes are not a key', '{["a"]}', 'invalid array index "a"'],
    ['a newline inside an action', '{.a\n}', 'unclosed action'],
    ['an unterminated string', '{"abc}', 'unterminated quoted string'],
    ['a bad escape', '{"\\q"}', 'unquote string "\\q" error invalid syntax'],
  ] as const) {
    it(`${name}: ${JSON.stringify(text)}`, () => {
      assert.throws(
        () => parseJsonPath(text),
        (e: Error) => e instanceof JsonPathParseError && e.message === message,
      );
    });
  }
});

describe('jsonpath: parse trees (TestParser)', () => {
  const unknown = { value: 0, known: false, derived: false };
  const cases: [string, string, unknown[]][] = [
    ['plain', 'hello jsonpath', [{ type: 'text', text: 'hello jsonpath' }]],
    [
      'variable',
      'hello {.jsonpath}',
      [
        { type: 'text', text: 'hello ' },
        { type: 'list', nodes: [{ type: 'field', name: 'jsonpath' }] },
      ],
    ],
    [
      'arrayfiled',
      "hello {['jsonpath']}",
      [
        { type: 'text', text: 'hello ' },
        { type: 'list', nodes: [{ type: 'field', name: 'jsonpath' }] },
      ],
    ],
    ['quote', '{"{"}', [{ type: 'list', nodes: [{ type: 'text', text: '{' }] }]],
    [
      'array',
      '{[1:3]}',
      [
        {
          type: 'list',
          nodes: [
            {
              type: 'array',
              params: [
                { value: 1, known: true, derived: false },
                { value: 3, known: true, derived: false },
                unknown,
              ],
            },
          ],
        },
      ],
    ],
    [
      'wildcard',
      '{.bicycle.*}',
      [{ type: 'list', nodes: [{ type: 'field', name: 'bicycle' }, { type: 'wildcard' }] }],
    ],
    [
      'arraydict',
      "{['book.price']}",
      [
        {
          type: 'list',
          nodes: [
            { type: 'field', name: 'book' },
            { type: 'field', name: 'price' },
          ],
        },
      ],
    ],
    [
      'negative index',
      '{[-1]}',
      [
        {
          type: 'list',
          nodes: [
            {
              type: 'array',
              params: [
                { value: -1, known: true, derived: false },
                { value: 0, known: true, derived: true },
                unknown,
              ],
            },
          ],
        },
      ],
    ],
    [
      'paired parentheses in quotes',
      '{[?(@.status.nodeInfo.osImage == "()")]}',
      [
        {
          type: 'list',
          nodes: [
            {
              type: 'filter',
              operator: '==',
              left: {
                type: 'list',
                nodes: [
                  { type: 'field', name: 'status' },
                  { type: 'field', name: 'nodeInfo' },
                  { type: 'field', name: 'osImage' },
                ],
              },
              right: { type: 'list', nodes: [{ type: 'text', text: '()' }] },
            },
          ],
        },
      ],
    ],
    [
      'range',
      '{range .items}{.name},{end}',
      [
        {
          type: 'list',
          nodes: [
            { type: 'identifier', name: 'range' },
            { type: 'field', name: 'items' },
          ],
        },
        { type: 'list', nodes: [{ type: 'field', name: 'name' }] },
        { type: 'text', text: ',' },
        { type: 'list', nodes: [{ type: 'identifier', name: 'end' }] },
      ],
    ],
  ];
  for (const [name, text, nodes] of cases) {
    it(`${name}: ${text}`, () => assert.deepEqual(parseJsonPath(text).nodes, nodes));
  }

  it('filters keep escaped quotes and parentheses inside strings', () => {
    const right = (t: string) => {
      const action = parseJsonPath(t).nodes[0] as { nodes: { right: { nodes: unknown[] } }[] };
      return action.nodes[0]!.right.nodes;
    };
    assert.deepEqual(right('{[?(@.a == "(\\"\\")")]}'), [{ type: 'text', text: '("")' }]);
    assert.deepEqual(right('{[?(@.test == "())(")]}'), [{ type: 'text', text: '())(' }]);
    assert.deepEqual(right("{[?(@.a == 'Linux')]}"), [{ type: 'text', text: 'Linux' }]);
    assert.deepEqual(right('{[?(@.a == "{[()]}")]}'), [{ type: 'text', text: '{[()]}' }]);
    assert.deepEqual(right("{[?(@.a == '\\\\\\'')]}"), [{ type: 'text', text: "\\'" }]);
  });
});
