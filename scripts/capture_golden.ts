/**
 * Captures golden frames: runs Java client tools through a recording TCP proxy in front of
 * the test broker and saves each request/response pair of the bootstrap connection to
 * tests/golden/java_client_frames.json. The protocol tests check that kafkit decodes these
 * frames and re-encodes them to the same bytes.
 *
 *   KAFKA_BROKERS=127.0.0.1:9092 deno run -A scripts/capture_golden.ts
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import type { Exchange } from "../tests/golden/exchange.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

/** Reads size-prefixed frames from a stream while copying the bytes to `sink`. */
async function relay(
  from: Deno.Conn,
  to: Deno.Conn,
  onFrame: (frame: Uint8Array) => void,
): Promise<void> {
  let pending = new Uint8Array(0);
  const buf = new Uint8Array(65536);
  try {
    for (let n = await from.read(buf); n !== null; n = await from.read(buf)) {
      const chunk = buf.slice(0, n);
      await to.write(chunk);
      const joined = new Uint8Array(pending.length + n);
      joined.set(pending);
      joined.set(chunk, pending.length);
      pending = joined;
      while (pending.length >= 4) {
        const size = new DataView(pending.buffer, pending.byteOffset).getInt32(0);
        if (pending.length < 4 + size) break;
        onFrame(pending.slice(4, 4 + size));
        pending = pending.slice(4 + size);
      }
    }
  } catch { /* either side closed */ }
  try {
    to.closeWrite();
  } catch { /* already closed */ }
}

async function capture(
  upstream: string,
  tool: string,
  args: (bootstrap: string) => string[],
  input = "",
) {
  const [host, port] = upstream.split(":");
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const bootstrap = `127.0.0.1:${(listener.addr as Deno.NetAddr).port}`;
  const exchanges: Exchange[] = [];
  const serve = (async () => {
    for await (const client of listener) {
      const broker = await Deno.connect({ hostname: host, port: Number(port) });
      const requests = new Map<number, { key: number; version: number; bytes: Uint8Array }>();
      const view = (f: Uint8Array) => new DataView(f.buffer, f.byteOffset);
      void relay(client, broker, (f) => {
        requests.set(view(f).getInt32(4), {
          key: view(f).getInt16(0),
          version: view(f).getInt16(2),
          bytes: f,
        });
      });
      void relay(broker, client, (f) => {
        const req = requests.get(view(f).getInt32(0));
        if (!req) return;
        exchanges.push({
          tool,
          apiKey: req.key,
          apiVersion: req.version,
          request: hex(req.bytes),
          response: hex(f),
        });
      });
    }
  })();
  // Asynchronous, so this process keeps relaying while the tool runs.
  const child = new Deno.Command("bash", {
    args: [`${ROOT}/scripts/kafka/java_tool.sh`, tool, ...args(bootstrap)],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(input));
  await writer.close();
  const r = await child.output();
  if (!r.success) throw new Error(`${tool} failed: ${new TextDecoder().decode(r.stderr)}`);
  listener.close();
  await serve.catch(() => {});
  return exchanges;
}

if (import.meta.main) {
  const broker = Deno.env.get("KAFKA_BROKERS")?.split(",")[0];
  if (!broker) throw new Error("KAFKA_BROKERS is not set");
  const topic = "kafkit-golden";
  const all = [
    ...await capture(broker, "org.apache.kafka.tools.ConsoleProducer", (b) => [
      "--bootstrap-server",
      b,
      "--topic",
      topic,
    ], "golden\n"),
    ...await capture(broker, "org.apache.kafka.tools.TopicCommand", (b) => [
      "--bootstrap-server",
      b,
      "--describe",
      "--topic",
      topic,
    ]),
  ];
  const out = `${ROOT}/tests/golden/java_client_frames.json`;
  Deno.writeTextFileSync(out, JSON.stringify(all, null, 1) + "\n");
  console.log(
    `captured ${all.length} exchanges: ` + all.map((e) => `${e.apiKey}v${e.apiVersion}`).join(", "),
  );
}
