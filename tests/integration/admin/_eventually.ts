// The controller commits a change before the broker that serves reads has applied it: checks
// after a change retry until they pass.

/** Runs `check` until it stops throwing (every 100 ms, up to `ms`); rethrows its last error. */
export async function eventually<T>(check: () => Promise<T>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  while (true) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() > end) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
