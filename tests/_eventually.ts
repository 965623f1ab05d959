// Waiting in tests for what happens a moment later: a change the controller committed
// reaching the broker that serves reads, a client recovering, a group settling.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `check` until it stops throwing (every 100 ms, up to `ms`); rethrows its last error. */
export async function eventually<T>(check: () => Promise<T>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  while (true) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() > end) throw e;
      await sleep(100);
    }
  }
}

/** Waits until `ok()` holds (polled every `every` ms), or fails naming `what` after `ms`. */
export async function waitFor(
  what: string,
  ok: () => boolean,
  ms = 25_000,
  every = 100,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(every);
  }
}
