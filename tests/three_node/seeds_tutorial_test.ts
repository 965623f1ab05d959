// The seeds' 3-broker tutorial: a Writer to a topic that does not exist yet (the broker
// creates it, as kafka-go's Writer lets it) and a group Reader consuming every message.
// The variant that starts both at the same moment is tests/three_node/seeds_tutorial_pending.ts.

import { describe, test } from "node:test";
import { RUNTIME } from "../_env.ts";
import { runTutorial } from "./_seeds_tutorial.ts";

describe(`seeds: the 3-broker tutorial (${RUNTIME})`, () => {
  test("producer to a new topic, then a group consumer: every message consumed once", async () => {
    await runTutorial({ together: false });
  });
});
