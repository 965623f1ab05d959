// The test Worker bundled from kafkit's sources (workerd_test.ts bundles it with esbuild).

import * as kafkit from "../../mod.ts";
import { makeWorker } from "./worker.ts";

const worker = makeWorker(kafkit);
export default worker.handler;
export const GroupMember = worker.GroupMember;
