/**
 * The Metadata request in one place (the core, Conn and the Dialer ask with it); its answer
 * is read once, by `readMetadata` in `../metadata_model.ts`.
 *
 * @module
 */

import type { MetadataRequest } from "../../protocol/generated/metadata.ts";

/**
 * The Metadata body for `topics`: `null` asks for every topic, an empty list for the brokers
 * only. `allowAutoTopicCreation` lets a broker with `auto.create.topics.enable` create the
 * named topics that are missing.
 */
export function metadataRequest(
  topics: readonly string[] | null,
  allowAutoTopicCreation = false,
): MetadataRequest {
  return {
    topics: topics === null ? null : topics.map((name) => ({ name })),
    allowAutoTopicCreation,
  };
}
