/**
 * Readiness probe for the test brokers. It speaks just enough of the Kafka protocol over one
 * plain TCP connection: ApiVersions v0 (must answer error code 0), then Metadata v1 for no
 * topics (null array), whose broker list tells whether the node sees the whole cluster.
 *
 * Self-contained on purpose (raw bytes, Deno.connect): the library's own connection will
 * replace it once that exists.
 */

const API_VERSIONS = 18;
const METADATA = 3;
const CLIENT_ID = "kafkit-harness-probe";
const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

export interface ProbeResult {
  /** How many API keys the broker's ApiVersions response lists. */
  apiCount: number;
  /** How many live brokers the node's Metadata response lists. */
  brokers: number;
}

/** Probes one broker; rejects on connection errors, protocol errors or after `timeoutMs`. */
export async function probe(host: string, port: number, timeoutMs = 5000): Promise<ProbeResult> {
  const conn = await Deno.connect({ hostname: host, port });
  let timedOut = false;
  // Closing the connection makes a pending read fail, which ends a probe the broker ignores.
  const timer = setTimeout(() => {
    timedOut = true;
    conn.close();
  }, timeoutMs);
  try {
    const versions = await call(conn, API_VERSIONS, 0, 1, new Uint8Array(0));
    const errorCode = versions.getInt16(0);
    if (errorCode !== 0) throw new Error(`ApiVersions answered error code ${errorCode}`);
    const apiCount = versions.getInt32(2);
    // Metadata v1 body: topics array; length -1 (null) means "no topic list" here.
    const metadata = await call(conn, METADATA, 1, 2, int32(-1));
    return { apiCount, brokers: metadata.getInt32(0) };
  } catch (err) {
    if (timedOut) throw new Error(`no answer from ${host}:${port} within ${timeoutMs} ms`);
    throw err;
  } finally {
    clearTimeout(timer);
    if (!timedOut) conn.close();
  }
}

/** Sends one request (header v1) and returns a view of the response body. */
async function call(
  conn: Deno.Conn,
  apiKey: number,
  apiVersion: number,
  correlationId: number,
  body: Uint8Array,
): Promise<DataView> {
  await writeAll(conn, frame(apiKey, apiVersion, correlationId, body));
  const size = view(await readExactly(conn, 4)).getInt32(0);
  if (size < 4 || size > MAX_RESPONSE_BYTES) throw new Error(`bad response size ${size}`);
  const response = view(await readExactly(conn, size));
  const gotId = response.getInt32(0);
  if (gotId !== correlationId) {
    throw new Error(`correlation id ${gotId} does not match request ${correlationId}`);
  }
  return new DataView(response.buffer, response.byteOffset + 4, size - 4);
}

/** int32 size, then header v1 (apiKey, apiVersion, correlationId, clientId), then body. */
function frame(apiKey: number, apiVersion: number, correlationId: number, body: Uint8Array) {
  const clientId = new TextEncoder().encode(CLIENT_ID);
  const headerSize = 2 + 2 + 4 + 2 + clientId.length;
  const out = new Uint8Array(4 + headerSize + body.length);
  const dv = view(out);
  dv.setInt32(0, headerSize + body.length);
  dv.setInt16(4, apiKey);
  dv.setInt16(6, apiVersion);
  dv.setInt32(8, correlationId);
  dv.setInt16(12, clientId.length);
  out.set(clientId, 14);
  out.set(body, 14 + clientId.length);
  return out;
}

function int32(value: number): Uint8Array {
  const out = new Uint8Array(4);
  view(out).setInt32(0, value);
  return out;
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let done = 0; done < bytes.length;) done += await conn.write(bytes.subarray(done));
}

async function readExactly(conn: Deno.Conn, length: number): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  for (let done = 0; done < length;) {
    const n = await conn.read(out.subarray(done));
    if (n === null) throw new Error("connection closed by the broker");
    done += n;
  }
  return out;
}
