/**
 * Reading several async iterables as one stream (kafka-go's `MultiIter` idea), e.g. one
 * partition reader per partition.
 *
 * @module
 */

/**
 * Yields values from all `sources` as they arrive, until every source is done. A source is
 * asked for its next value only after the loop body has taken its previous one (so a group
 * reader commits a message only after the body is done with it). Breaking out stops every
 * source; a reader's pending read is cancelled rather than taking a message.
 *
 * @example
 * ```ts
 * import { mergeIterators, Reader } from "@kafkit/kafkit";
 * const readers = [0, 1, 2].map((partition) =>
 *   new Reader({ brokers: ["localhost:9092"], topic: "t", partition })
 * );
 * for await (const m of mergeIterators(...readers)) console.log(m.partition, m.offset);
 * ```
 */
export async function* mergeIterators<T>(...sources: AsyncIterable<T>[]): AsyncGenerator<T> {
  const iterators = sources.map((s) => s[Symbol.asyncIterator]());
  const pending = new Map<number, Promise<{ i: number; r: IteratorResult<T> }>>();
  const pull = (i: number) => pending.set(i, iterators[i].next().then((r) => ({ i, r })));
  iterators.forEach((_, i) => pull(i));
  try {
    while (pending.size > 0) {
      const { i, r } = await Promise.race(pending.values());
      pending.delete(i);
      if (r.done) continue;
      yield r.value;
      pull(i);
    }
  } finally {
    // Sources still reading are told to stop but not awaited: a source blocked on an idle
    // topic would hold the loop's exit.
    for (const [i, p] of pending) {
      p.catch(() => {});
      iterators[i].return?.()?.catch(() => {});
    }
  }
}
