// The tutorial as written: producer and group consumer started at the same moment on a topic
// that does not exist yet (issue 20 item 1: the group Reader picks up a topic created after it
// joined), with each group protocol.

import { describe, test } from "node:test";
import { RUNTIME } from "../_env.ts";
import { runTutorial } from "./_seeds_tutorial.ts";

describe(`seeds: the 3-broker tutorial as written (${RUNTIME})`, () => {
  for (const groupProtocol of ["classic", "consumer"] as const) {
    test(`producer and ${groupProtocol} group consumer started together on a new topic: every message consumed`, async () => {
      await runTutorial({ together: true, groupProtocol });
    });
  }
});
