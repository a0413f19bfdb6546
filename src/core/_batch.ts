/**
 * The queue under Inbox and Outbox: items, each with a companion (a sender,
 * a send function), handed to `run` a batch at a time. Whatever is pushed
 * while a batch runs (a transport that answers synchronously, input fed back)
 * goes into the next batch of the same drain, never into the one running.
 */
import { empty } from './_array.js';

/** Items held for one batch at most: push() says when the queue is this full. */
export const BATCH_LIMIT = 64;

export class Batches<Item, Tag> {
  private items: Item[] = [];
  private tags: Tag[] = [];
  private spareItems: Item[] = [];
  private spareTags: Tag[] = [];
  private running = false;

  /** `run` gets each batch (parallel arrays); they are emptied after it returns or throws. */
  constructor(private readonly run: (items: readonly Item[], tags: readonly Tag[]) => void) {}

  /** Queues one item; true once BATCH_LIMIT are waiting (time to drain). */
  push(item: Item, tag: Tag): boolean {
    this.items.push(item);
    this.tags.push(tag);
    return this.items.length >= BATCH_LIMIT;
  }

  /** Runs every batch until none is left; a call from inside `run` returns at once (the running drain takes what it pushed). */
  drain(): void {
    if (this.running) return;
    this.running = true;
    try {
      while (this.items.length > 0) this.runBatch();
    } finally {
      this.running = false;
    }
  }

  private runBatch(): void {
    const { items, tags } = this;
    this.items = this.spareItems;
    this.tags = this.spareTags;
    try {
      this.run(items, tags);
    } finally {
      empty(items);
      empty(tags);
      this.spareItems = items;
      this.spareTags = tags;
    }
  }
}
