/** The shared timer queue behind every session's clock. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TimerQueue } from '../src/core/timer-queue.js';
import { defaultRuntime } from '../src/default-runtime.js';

describe('TimerQueue', () => {
  it('runs due timers in deadline order, ties in scheduling order, skips cancelled ones', () => {
    const q = new TimerQueue();
    const ran: string[] = [];
    q.schedule(30, () => ran.push('c'));
    q.schedule(10, () => ran.push('a1'));
    q.schedule(10, () => ran.push('a2'));
    const x = q.schedule(20, () => ran.push('x'));
    q.schedule(20, () => ran.push('b'));
    q.cancel(x);
    q.runDue(25);
    assert.deepEqual(ran, ['a1', 'a2', 'b']);
    assert.equal(q.next, 30);
    q.runDue(100);
    assert.deepEqual(ran, ['a1', 'a2', 'b', 'c']);
    assert.equal(q.next, null);
  });

  it('keeps order over many random timers', () => {
    const q = new TimerQueue();
    const at: number[] = [];
    for (let i = 0; i < 5000; i++) {
      const t = (i * 7919) % 1000;
      q.schedule(t, () => at.push(t));
    }
    q.runDue(1000);
    assert.equal(at.length, 5000);
    for (let i = 1; i < at.length; i++) assert.ok(at[i - 1]! <= at[i]!);
  });

  it('the default runtime fires many timers through one host timer, each once and not early', async () => {
    const rt = defaultRuntime();
    const start = rt.now();
    const fired: number[] = [];
    await new Promise<void>((resolve) => {
      let left = 1000;
      for (let i = 0; i < 1000; i++) {
        const ms = i % 50;
        rt.setTimer(() => {
          fired.push(rt.now() - start - ms);
          if (--left === 0) resolve();
        }, ms);
      }
      const cancelled = rt.setTimer(() => fired.push(-1e9), 5);
      rt.clearTimer(cancelled);
    });
    assert.equal(fired.length, 1000);
    assert.ok(fired.every((late) => late >= -1), 'no timer fired early');
  });
});

describe('defaultRuntime().afterInput', () => {
  it('runs callbacks in order after the I/O poll (Node: setImmediate), one host callback for all, and what they queue in the next round', async () => {
    const rt = defaultRuntime();
    const seen: string[] = [];
    rt.afterInput!(() => seen.push('a'));
    rt.afterInput!(() => {
      seen.push('b');
      rt.afterInput!(() => seen.push('d'));
    });
    rt.afterInput!(() => seen.push('c'));
    assert.deepEqual(seen, [], 'nothing runs synchronously');
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(seen, ['a', 'b', 'c']);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(seen, ['a', 'b', 'c', 'd']);
  });
  it('runs the callbacks that open input (opening = true) first, whenever they were queued', async () => {
    const rt = defaultRuntime();
    const seen: string[] = [];
    rt.afterInput!(() => seen.push('timer'));
    rt.afterInput!(() => seen.push('open 1'), true);
    rt.afterInput!(() => seen.push('flush'));
    rt.afterInput!(() => {
      seen.push('open 2');
      rt.afterInput!(() => seen.push('next round'), true);
    }, true);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(seen, ['open 1', 'open 2', 'timer', 'flush']);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(seen, ['open 1', 'open 2', 'timer', 'flush', 'next round']);
  });
});
