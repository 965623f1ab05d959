/**
 * Reading several async iterables as one stream (kafka-go's `MultiIter` idea), e.g. one
 * partition reader per partition.
 *
 * @module
 */

/**
 * Yields values from all `sources` as they arrive, until every source is done. Breaking out
 * stops every source; a value a source was still fetching at that moment is not yielded
 * (group readers have not committed it, so it is read again later).
 *
 * @example
 * ```ts ignore
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
      if (r.done) {
        pending.delete(i);
        continue;
      }
      pull(i);
      yield r.value;
    }
  } finally {
    // Sources still fetching are told to stop but not awaited: a source blocked on an idle
    // topic would hold the loop's exit. Their results are dropped.
    for (const [i, p] of pending) {
      p.catch(() => {});
      iterators[i].return?.()?.catch(() => {});
    }
  }
}
