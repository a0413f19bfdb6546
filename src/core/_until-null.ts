/** The values `next()` resolves to, in order, until it resolves to null: how sessions, listeners and streams are iterated with `for await`. */
export async function* untilNull<T>(next: () => Promise<T | null>): AsyncGenerator<T, void, undefined> {
  for (;;) {
    const value = await next();
    if (value === null) return;
    yield value;
  }
}
