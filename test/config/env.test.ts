import { test } from 'vitest';
import assert from 'node:assert/strict';
import { redactor, substituteEnv } from '../../src/config/env.js';

test('substitutes ${VAR} and ${VAR:-default}', () => {
  const r = substituteEnv('a: ${A}\nb: ${B:-fallback}\nc: ${C:-fallback}\nd: x${A}y${A}\n', { A: 'one', C: 'three' });
  assert.equal(r.text, 'a: one\nb: fallback\nc: three\nd: xoneyone\n');
  assert.deepEqual(r.problems, []);
  assert.deepEqual(r.substitutions, [
    { name: 'A', value: 'one' },
    { name: 'C', value: 'three' },
    { name: 'A', value: 'one' },
    { name: 'A', value: 'one' },
  ]);
});

test('an empty variable takes the :- default but stays empty without one', () => {
  const r = substituteEnv('a: "${E:-d}"\nb: "${E}"\n', { E: '' });
  assert.equal(r.text, 'a: "d"\nb: ""\n');
  assert.deepEqual(r.problems, []);
});

test('$${ is a literal ${ and is not substituted', () => {
  const r = substituteEnv('a: $${A} and $$ and $x\n', { A: 'nope' });
  assert.equal(r.text, 'a: ${A} and $$ and $x\n');
  assert.deepEqual(r.substitutions, []);
});

test('full-line comments are left alone, trailing comments are not', () => {
  const r = substituteEnv('  # url: ${UNSET}\na: 1 # ${A}\n', { A: 'x' });
  assert.equal(r.text, '  # url: ${UNSET}\na: 1 # x\n');
  assert.deepEqual(r.problems, []);
});

test('every unset variable is reported with its line', () => {
  const r = substituteEnv('a: 1\nb: ${NOPE}\nc: ${ALSO_NOPE} ${NOPE}\n', {});
  assert.deepEqual(
    r.problems.map((p) => [p.line, p.kind, p.message]),
    [
      [2, 'unset', 'environment variable NOPE is not set; set it or write ${NOPE:-default}'],
      [3, 'unset', 'environment variable ALSO_NOPE is not set; set it or write ${ALSO_NOPE:-default}'],
      [3, 'unset', 'environment variable NOPE is not set; set it or write ${NOPE:-default}'],
    ],
  );
});

test('malformed references are syntax problems', () => {
  for (const text of ['a: ${}', 'a: ${1A}', 'a: ${A B}', 'a: ${A', 'a: ${A:=x}']) {
    const r = substituteEnv(text, { A: 'x' });
    assert.equal(r.problems.length, 1, text);
    assert.equal(r.problems[0]!.kind, 'syntax', text);
  }
});

test('redactor replaces substituted values with the variable name, longest first', () => {
  const redact = redactor([
    { name: 'HOST', value: 'db' },
    { name: 'URL', value: 'wss://db.example' },
  ]);
  assert.equal(redact('got wss://db.example/x and db'), 'got ${URL}/x and ${HOST}');
  assert.equal(redactor([])('unchanged'), 'unchanged');
});

test('originalColumn maps substituted columns back to the file', () => {
  //                     0123456789012345678901
  const r = substituteEnv('a: ${X} ${Y:-dflt} $${Z} end', { X: 'xxxxxxxxxx' });
  assert.equal(r.text, 'a: xxxxxxxxxx dflt ${Z} end');
  assert.equal(r.originalColumn(0, 0), 0);
  assert.equal(r.originalColumn(0, 3), 3, 'start of a value → start of its ${');
  assert.equal(r.originalColumn(0, 9), 3, 'inside a value → start of its ${');
  assert.equal(r.originalColumn(0, 13), 7, 'the space after it');
  assert.equal(r.originalColumn(0, 14), 8, 'the default');
  assert.equal(r.originalColumn(0, 19), 19, '$${ → ${ is one shorter');
  assert.equal(r.originalColumn(0, 24), 25, '"end"');
  assert.equal(r.originalColumn(1, 5), 5, 'untouched lines map to themselves');
});

test('a value with a line break is refused: it would inject YAML and shift lines', () => {
  const r = substituteEnv('a: ${X}\n', { X: 'one\nb: two' });
  assert.deepEqual(r.problems, [{ line: 1, kind: 'value', message: 'environment variable X contains a line break; config values must be one line' }]);
});
