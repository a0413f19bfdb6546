/** Polling on state, for tests that would otherwise sleep a guessed number of milliseconds. */

/** Resolves once `cond()` holds; rejects naming `what` if it still does not after `timeoutMs`. */
export async function waitFor(cond: () => boolean, what: string, timeoutMs = 10_000, everyMs = 5): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
