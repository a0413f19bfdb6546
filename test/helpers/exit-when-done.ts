import { after } from 'node:test';

/**
 * werift's ICE keeps UDP sockets open after its peer connection closes, so
 * a file that used it would never exit: once every test and hook has run
 * and reported, the file's process ends itself.
 */
export function exitWhenDone(): void {
  after(() => {
    setTimeout(() => process.exit(process.exitCode ?? 0), 2000).unref();
  });
}
