// The test Worker: kafkit inside workerd, driven over HTTP by workerd_test.ts. It is written
// against the kafkit module it is handed, so the same code is bundled once from the sources
// (entry.ts) and once from the npm package (an entry the test writes), and runs unchanged.
//
// Every route takes a JSON body and answers JSON; a failure answers status 500 with the
// error's name and message, for the test to assert on.

import type * as Kafkit from "../../mod.ts";

/** What a route gets: brokers and the connection options, as JSON can carry them. */
export interface Body {
  brokers: string[];
  topic?: string;
  count?: number;
  tls?: boolean;
  sasl?: Kafkit.SaslOptions;
  compression?: "gzip" | "snappy" | "lz4" | "zstd";
  /** Pass `connectWorkerd` as `connect` instead of letting kafkit pick it. */
  explicit?: boolean;
  /** A CA to hand to the TLS options (which the Workers adapter refuses). */
  ca?: string;
  /**
   * Hide that this is a Worker (navigator.userAgent) during the call: kafkit then takes the
   * runtime for one without the Workers socket API and tries node:net, as in a browser.
   */
  disguised?: boolean;
}

/** The slice of a Worker's ExecutionContext used here. */
export interface Context {
  waitUntil(promise: Promise<unknown>): void;
}

/** The slice of a Durable Object namespace binding used here. */
export interface Namespace {
  idFromName(name: string): unknown;
  get(id: unknown): { fetch(request: Request): Promise<Response> };
}

/** The Worker's bindings (config.capnp). */
export interface Env {
  /** The GroupMember Durable Objects (the Workers that declare them). */
  MEMBER?: Namespace;
}

/** A Worker's module: its fetch handler and the Durable Object class it exports. */
export interface TestWorker {
  handler: { fetch(request: Request, env: Env, ctx: Context): Promise<Response> };
  /** A Durable Object holding one consumer group member across requests. */
  GroupMember: new (state: unknown, env: Env) => { fetch(request: Request): Promise<Response> };
}

/** Answers a route's result as JSON, or its error as status 500. */
async function answer(run: () => Promise<unknown>): Promise<Response> {
  try {
    return Response.json(await run());
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    return Response.json({ name: error.name, message: error.message }, { status: 500 });
  }
}

/** The Worker's handlers, over one kafkit module (the sources' or the npm package's). */
export function makeWorker(kafkit: typeof Kafkit): TestWorker {
  const dec = new TextDecoder();
  const text = (b: Uint8Array | null | undefined) => b == null ? null : dec.decode(b);

  const connection = (b: Body) => ({
    tls: b.tls ? (b.ca === undefined ? {} : { ca: b.ca }) : undefined,
    sasl: b.sasl,
    connect: b.explicit ? kafkit.connectWorkerd : undefined,
  });

  /** Reads `count` messages of partition 0 from its start, within 20 s. */
  async function readBack(b: Body): Promise<unknown[]> {
    await using reader = new kafkit.Reader({
      brokers: b.brokers,
      topic: b.topic,
      partition: 0,
      startOffset: kafkit.FirstOffset,
      maxWait: 200,
      ...connection(b),
    });
    const signal = AbortSignal.timeout(20_000);
    const out = [];
    for (let i = 0; i < b.count!; i++) {
      const m = await reader.readMessage({ signal });
      out.push({
        offset: m.offset,
        key: text(m.key),
        value: text(m.value),
        headers: m.headers.map((h) => [h.key, text(h.value)]),
      });
    }
    return out;
  }

  const routes: Record<string, (b: Body, ctx: Context) => Promise<unknown>> = {
    // Conn creates the topic, a Writer produces, a Reader reads it back: one request.
    async "/roundtrip"(b) {
      {
        await using conn = await kafkit.dial(b.brokers[0], connection(b));
        await conn.createTopics([{ topic: b.topic!, numPartitions: 1, replicationFactor: 1 }]);
      }
      {
        await using writer = new kafkit.Writer({
          brokers: b.brokers,
          topic: b.topic,
          compression: b.compression,
          ...connection(b),
        });
        await writer.writeMessages(
          Array.from({ length: b.count! }, (_, i) => ({
            key: `key-${i}`,
            value: `value-${i} `.repeat(20),
            headers: [{ key: "from", value: "workerd" }],
          })),
        );
      }
      return { messages: await readBack(b) };
    },

    // A bounded read of what someone else produced.
    async "/read"(b) {
      return { messages: await readBack(b) };
    },

    // Answer at once; the Writer flushes after the response, kept alive by waitUntil.
    // deno-lint-ignore require-await
    async "/produce-after-response"(b, ctx) {
      const writer = new kafkit.Writer({
        brokers: b.brokers,
        topic: b.topic,
        async: true,
        ...connection(b),
      });
      const sent = writer.writeMessages(
        Array.from({ length: b.count! }, (_, i) => ({ value: `later-${i}` })),
      );
      ctx.waitUntil(sent.finally(() => writer.close()));
      return { accepted: b.count };
    },

    // One admin call.
    async "/describe-cluster"(b) {
      const userAgent = navigator.userAgent;
      const disguise = (value: string) =>
        Object.defineProperty(navigator, "userAgent", { value, configurable: true });
      if (b.disguised) disguise("disguised");
      try {
        await using admin = new kafkit.Client({ brokers: b.brokers, ...connection(b) });
        const c = await admin.describeCluster();
        return { clusterId: c.clusterId, brokers: c.brokers.map((x) => x.nodeId) };
      } finally {
        if (b.disguised) disguise(userAgent);
      }
    },
  };

  /**
   * A consumer group member that outlives the request that started it: a Durable Object keeps
   * its I/O (sockets, timers) between requests, so the Reader's heartbeats go on while no
   * request is running. `/start` joins, `/next` reads one message, `/stop` leaves.
   */
  class GroupMember {
    #reader: Kafkit.Reader | undefined;
    /** How often the group assigned partitions to this member: 1 while it stays a member. */
    #assignments = 0;

    fetch(request: Request): Promise<Response> {
      return answer(async () => {
        const b = await request.json() as Body & { groupId: string };
        switch (new URL(request.url).pathname) {
          case "/member/start":
            this.#reader = new kafkit.Reader({
              brokers: b.brokers,
              topic: b.topic,
              groupId: b.groupId,
              sessionTimeout: 6_000,
              heartbeatInterval: 1_000,
              maxWait: 200,
              onAssigned: () => void this.#assignments++,
              ...connection(b),
            });
            return { started: true };
          case "/member/next": {
            const m = await this.#reader!.readMessage({ signal: AbortSignal.timeout(20_000) });
            return { offset: m.offset, value: text(m.value), assignments: this.#assignments };
          }
          case "/member/stop":
            await this.#reader!.close();
            return { assignments: this.#assignments };
        }
        throw new Error("no such route");
      });
    }
  }

  return {
    handler: {
      fetch(request, env, ctx) {
        const path = new URL(request.url).pathname;
        if (path.startsWith("/member/")) {
          // One object per group, named after it: every request of a test reaches the same one.
          const name = new URL(request.url).searchParams.get("group")!;
          return env.MEMBER!.get(env.MEMBER!.idFromName(name)).fetch(request);
        }
        const route = routes[path];
        if (!route) return Promise.resolve(new Response("no such route", { status: 404 }));
        return answer(async () => route(await request.json() as Body, ctx));
      },
    },
    GroupMember,
  };
}
