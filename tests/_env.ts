// Where the test Kafka is: the harness exports these (see scripts/kafka/harness.ts).

import process from "node:process";

/** Reads a required variable of the test environment, failing clearly when it is unset. */
export function kafkaEnv(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `${name} is not set: run the tests through scripts/test.sh, which starts Kafka, ` +
        `or export the harness's env file (scripts/kafka/harness.ts up)`,
    );
  }
  return value;
}

/** Splits a `host:port` address. */
export { parseAddress as hostPort } from "../src/address.ts";

/** The runtime running the tests, for messages. */
export const RUNTIME: string = "Deno" in globalThis
  ? "deno"
  : "Bun" in globalThis
  ? "bun"
  : `node ${process.versions.node}`;
