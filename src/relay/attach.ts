/**
 * How a new ingress (any transport) joins the relay: a new session, passed
 * by admission (token or ticket, upstream, caps) and resumable when it names
 * a claim; or a resume, which presents its credential and takes over the
 * upstream socket of a session already forwarded (resume.ts). Either is
 * decided before the transport is accepted, so a refused one never has a
 * datagram forwarded.
 */
import type { DatagramTransport } from '../core/transport.js';
import type { Admission, Refusal } from './admission.js';
import type { ForwardHandle, Forwarder, IngressKind } from './forward.js';
import { isClaim, type ResumeBook } from './resume.js';
import type { Upstream } from './upstreams.js';

/** The resume parameters of an ingress request: `resume` (a credential) and `claim` (where the next one is filed). */
export interface ResumeParams {
  resume: string | null;
  claim: string | null;
}

export const resumeParamsOf = (q: URLSearchParams): ResumeParams => ({ resume: q.get('resume'), claim: q.get('claim') });

/** A request let in: a new session (resumable when it has an id), or a resume of the session `id`. */
export type Entry = { upstream: Upstream; id?: string; address: string } | { resumeOf: ForwardHandle; id: string };

export class Attachments {
  constructor(
    private readonly admission: Admission,
    private readonly forwarder: Forwarder,
    private readonly book: ResumeBook<ForwardHandle>,
    /** How long a resumable session keeps its upstream socket after its transport ends. */
    private readonly graceMs: number,
  ) {}

  /** Whether a request from `address` may join, and how; refusals are counted. */
  enter(credential: string | null, address: string, { resume, claim }: ResumeParams): Entry | { refusal: Refusal } {
    if ((resume !== null || claim !== null) && !isClaim(claim)) {
      this.book.counters.refused++;
      return { refusal: [400, 'claim must be 16 to 64 base64url characters'] };
    }
    if (resume !== null) {
      const r = this.book.present(resume, claim!, address);
      if ('refusal' in r) return r;
      const handle = this.book.handle(r.id);
      // Admitted but never carried a datagram: nothing to take over.
      if (!handle) {
        this.book.counters.refused++;
        return { refusal: [410, 'the session of this resume credential never started'] };
      }
      return { resumeOf: handle, id: r.id };
    }
    const v = this.admission.admit(credential, address);
    if ('refusal' in v) return v;
    return { upstream: v.upstream, address, ...(claim !== null ? { id: this.book.open(claim, address, v.upstream) } : {}) };
  }

  /**
   * Carries `entry` over `transport`: a new session's forwarding (holding
   * its address slot, unless `held` already does), or the resumed one's.
   */
  carry(entry: Entry, transport: DatagramTransport, kind: IngressKind, held?: () => void, stream = false): void {
    if ('resumeOf' in entry) {
      entry.resumeOf.attach(transport, kind, stream);
      this.book.counters.resumed++;
      return;
    }
    const release = held ?? this.admission.hold(entry.address);
    const id = entry.id;
    const handle = this.forwarder.forward(transport, entry.upstream, {
      kind,
      stream,
      release: () => {
        release();
        if (id !== undefined) this.book.forget(id);
      },
      ...(id !== undefined ? { graceMs: this.graceMs } : {}),
    });
    if (id !== undefined) this.book.bind(id, handle);
  }

  /** An entry that will never be carried (its transport failed to open): a new session's id is dropped. */
  abandon(entry: Entry): void {
    if (!('resumeOf' in entry) && entry.id !== undefined) this.book.forget(entry.id);
  }
}
