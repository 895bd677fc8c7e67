// Runs the conformance corpus (corpus.json, written by knead-core's session
// engine) against the web's player engine (static/engine.js) under Node:
// each case's inputs, at their milliseconds, must give the same events in the
// same order, the same view after each input, the same records and the same
// end. Prints each case that differs, at its first difference, and exits 1.
//
//   node crates/knead-web/tests/parity/run.mjs [corpus.json] [engine.js]
//
// knead-web's `parity` test runs it (cargo test -p knead-web parity).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isDeepStrictEqual } from 'node:util';
import { fileURLToPath } from 'node:url';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const corpusPath = process.argv[2] || here('./corpus.json');
const enginePath = process.argv[3] || here('../../static/engine.js');
const { start } = createRequire(import.meta.url)(enginePath);
const corpus = JSON.parse(readFileSync(corpusPath, 'utf8'));

const show = (value) => (value === undefined ? '(nothing)' : JSON.stringify(value, null, 1).replace(/\n\s*/g, ' '));

/** The first way `actual` differs from `expected`, as a path and both values; null if none. */
function difference(expected, actual, path = '') {
  if (isDeepStrictEqual(expected, actual)) return null;
  if (Array.isArray(expected) && Array.isArray(actual)) {
    for (let i = 0; i < Math.max(expected.length, actual.length); i += 1) {
      const found = difference(expected[i], actual[i], `${path}[${i}]`);
      if (found) return found;
    }
  } else if (expected && actual && typeof expected === 'object' && typeof actual === 'object') {
    for (const key of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
      const found = difference(expected[key], actual[key], `${path}.${key}`);
      if (found) return found;
    }
  }
  return { path: path || '(whole)', expected, actual };
}

/** The case played through engine.js: the first difference, or null. */
function check(testCase) {
  const { plan, timeline } = corpus.plans[testCase.plan];
  let session = null;
  for (const [index, step] of testCase.steps.entries()) {
    let events;
    if (step.input === 'start') ({ session, events } = start(plan, timeline, step.at));
    else if (step.input === 'poll') events = session.poll(step.at);
    else events = session.command({ command: step.input, seconds: step.seconds }, step.at);
    const found =
      difference(step.events, events, '.events') || difference(step.view, session.view(step.at), '.view');
    if (found) return { where: `step ${index} (${step.input}${step.seconds ? ` ${step.seconds} s` : ''} at ${step.at} ms)`, step, events, found };
  }
  const found =
    difference(testCase.records, session.records(), '.records') || difference(testCase.ended, session.outcome(), '.ended');
  return found ? { where: 'at the end', found } : null;
}

let failed = 0;
for (const testCase of corpus.cases) {
  let result;
  try {
    result = check(testCase);
  } catch (error) {
    result = { where: 'thrown', found: { path: '', expected: 'no exception', actual: String(error.stack || error) } };
  }
  if (!result) continue;
  failed += 1;
  const { where, found, step, events } = result;
  console.log(`✗ ${testCase.name} (plan "${testCase.plan}"): ${where}, ${found.path}`);
  console.log(`    expected: ${show(found.expected)}`);
  console.log(`    actual:   ${show(found.actual)}`);
  if (step) {
    console.log(`    the engine's events there: ${show(step.events)}`);
    console.log(`    engine.js's events there:  ${show(events)}`);
  }
}
const total = corpus.cases.length;
console.log(failed ? `${failed} of ${total} cases differ` : `all ${total} cases agree`);
process.exit(failed ? 1 : 0);
