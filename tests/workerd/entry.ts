// The test Worker bundled from kafkit's sources (workerd_test.ts bundles it with esbuild).

import * as kafkit from "../../mod.ts";
import { makeWorker } from "./worker.ts";

export default makeWorker(kafkit);
