/**
 * Linux /proc readings for the benches: a process's children, and a
 * process's CPU and memory, read from outside it (so the measured process
 * pays nothing for them).
 */
import { readdirSync, readFileSync } from 'node:fs';

/** The process ids of `pid`'s children, every thread's; none once it has exited. */
export function childPids(pid: number | 'self'): string[] {
  const out: string[] = [];
  let tasks: string[] = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out; // exited meanwhile
  }
  for (const task of tasks) {
    try {
      out.push(...readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ').filter(Boolean));
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

/** A process's name, CPU so far (user + system, in clock ticks) and RSS (in pages); null once it has exited. */
export function procStat(pid: number | string): { name: string; ticks: number; rssPages: number } | null {
  let st: string;
  try {
    st = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The fields after the name's closing parenthesis, from the state (field 3): utime 14, stime 15, rss 24.
  const f = st.slice(st.lastIndexOf(')') + 2).split(' ').map(Number);
  return { name: st.slice(st.indexOf('(') + 1, st.lastIndexOf(')')), ticks: f[11]! + f[12]!, rssPages: f[21]! };
}
