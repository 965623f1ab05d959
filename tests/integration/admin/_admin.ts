// Shared by the admin tests: a client on the single-node harness, and unique names.

import { Client } from "../../../mod.ts";
import { kafkaEnv } from "../../_env.ts";

/** A client on the harness broker (close it, or use `await using`). */
export function adminClient(): Client {
  return new Client({ brokers: kafkaEnv("KAFKA_BROKERS").split(",") });
}

let n = 0;
/** A name no other test (or earlier run) uses. */
export function uniqueName(prefix: string): string {
  return `kafkit-${prefix}-${Date.now().toString(36)}-${(n++).toString(36)}`;
}
