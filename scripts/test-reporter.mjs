// node:test reporter that records each test result as one JSON line, for
// scripts/run-tests.mjs to count. The last line, {"type":"end"}, is written
// only when the runner's event stream ends normally: a runner that dies
// mid-run leaves a file without it, which run-tests.mjs treats as a failure.
const fields = (d) => ({
  name: d.name,
  nesting: d.nesting,
  file: d.file,
  suite: d.details?.type === 'suite',
  skip: d.skip !== undefined && d.skip !== false,
  todo: d.todo !== undefined && d.todo !== false,
  error: d.details?.error === undefined ? undefined : describeError(d.details.error),
});

function describeError(e) {
  const cause = e.cause instanceof Error ? e.cause.message : e.cause === undefined ? undefined : String(e.cause);
  return { message: e.message, failureType: e.failureType, cause, exitCode: e.exitCode, signal: e.signal };
}

export default async function* jsonResults(source) {
  for await (const { type, data } of source) {
    if (type === 'test:pass' || type === 'test:fail' || type === 'test:complete') {
      yield `${JSON.stringify({ type, ...fields(data) })}\n`;
    }
  }
  yield `${JSON.stringify({ type: 'end' })}\n`;
}
