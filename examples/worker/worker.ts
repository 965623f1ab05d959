// A Cloudflare Worker in front of a topic (a module worker; kafkit needs no nodejs_compat):
//
//   POST /events          the body becomes a message (key: the `x-key` header); answers 202
//                         at once and flushes after the response (ctx.waitUntil)
//   GET  /events?last=N   the last N messages of partition 0, as JSON
//
// Sockets live only as long as the request that opened them, so every request makes its own
// clients and closes them. The brokers and topic come from the Worker's vars (wrangler.toml).
// Bundle: esbuild worker.ts --bundle --format=esm --conditions=workerd,worker,browser
// (what wrangler does); examples_test.ts bundles and runs it in workerd.

import { dialLeader, SeekAbsolute, Writer } from "@kafkit/kafkit"; // npm: "kafkit"

/** The Worker's vars. */
export interface Env {
  /** Bootstrap brokers, comma separated. */
  KAFKA_BROKERS: string;
  /** The topic the Worker writes and reads. */
  TOPIC: string;
}

/** The part of the Workers ExecutionContext used here. */
export interface Context {
  waitUntil(promise: Promise<unknown>): void;
}

/** Writes the request's body; the writer flushes and closes after the response is sent. */
async function produce(request: Request, env: Env, ctx: Context): Promise<Response> {
  const writer = new Writer({
    brokers: env.KAFKA_BROKERS.split(","),
    topic: env.TOPIC,
    async: true,
  });
  await writer.writeMessages([{ key: request.headers.get("x-key"), value: await request.text() }]);
  ctx.waitUntil(writer.close());
  return new Response("accepted\n", { status: 202 });
}

/** The last `count` messages of partition 0 (at most 100), read within 5 s. */
async function latest(url: URL, env: Env): Promise<Response> {
  const count = Math.min(100, Math.max(1, Number(url.searchParams.get("last")) || 10));
  const signal = AbortSignal.timeout(5_000);
  await using conn = await dialLeader(env.KAFKA_BROKERS.split(",")[0], env.TOPIC, 0, { signal });
  const { first, last } = await conn.readOffsets({ signal });
  let next = Math.max(first, last - count);
  await conn.seek(next, SeekAbsolute);
  const text = new TextDecoder();
  const messages = [];
  while (next < last) {
    await using batch = await conn.readBatch(1, 1e6, { signal });
    for await (const m of batch) {
      messages.push({
        offset: m.offset,
        key: m.key && text.decode(m.key),
        value: m.value && text.decode(m.value),
      });
      next = m.offset + 1;
    }
  }
  return Response.json(messages);
}

export default {
  fetch(request: Request, env: Env, ctx: Context): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname !== "/events") {
      return Promise.resolve(new Response("not found\n", { status: 404 }));
    }
    if (request.method === "POST") return produce(request, env, ctx);
    if (request.method === "GET") return latest(url, env);
    return Promise.resolve(new Response("method not allowed\n", { status: 405 }));
  },
};
