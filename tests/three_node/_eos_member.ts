// One ExactlyOnce member in a process of its own, so that the exactly-once chaos run can
// SIGKILL it for real: no LeaveGroup, no EndTxn, its open transaction left to be fenced.
// Prints its counts as a JSON line every 100 ms.
//
//   <runtime> _eos_member.ts <brokers> <groupId> <input> <output> <transactionalId> <batchSize>

import process from "node:process";
import { ExactlyOnce } from "../../mod.ts";
import { memberConfig } from "./_eos_chaos.ts";

const [brokers, groupId, input, output, transactionalId, batchSize] = process.argv.slice(2);
const member = new ExactlyOnce(memberConfig({
  brokers: brokers.split(","),
  groupId,
  input,
  output,
  transactionalId,
  batchSize: Number(batchSize),
  log: (line) => console.error(line),
}));
setInterval(() => console.log(JSON.stringify(member.stats())), 100);
await member.run();
