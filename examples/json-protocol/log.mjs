// Log a training run from Node.js with the despina JSON protocol (JSON lines).
//
//   node log.mjs OUT.jsonl [RUN_ID]
//
// Then `despina import json OUT.jsonl`. The file may be imported while it is still written:
// each import adds the lines written since the previous one.
import { appendFileSync } from "node:fs";

const out = process.argv[2] ?? "run.jsonl";
const runId = process.argv[3] ?? "node-run-1";
const log = (obj) => appendFileSync(out, JSON.stringify(obj) + "\n");

log({ kind: "run", id: runId, project: "examples/json-protocol" });
log({ op: "assign", path: "sys/name", value: "trained from node" });
log({ op: "add_strings", path: "sys/tags", values: ["node", "example"] });
// JSON has one number type: say "float" when a whole number must be stored as a float.
log({ op: "assign_float", path: "params/lr", value: 1 });
log({ op: "assign", path: "params/batch_size", value: 32 });
log({ op: "assign_datetime", path: "params/started", value: new Date(0).toISOString() });

let loss = 1.0;
for (let step = 0; step < 100; step++) {
  loss *= 0.97;
  log({ op: "append", path: "train/loss", step, value: loss, timestamp: Date.now() / 1000 });
}
// Many points in one line: [step, value, timestamp] triples; NaN is written as a string.
log({
  op: "append_floats",
  path: "eval/acc",
  points: [[0, 0.5, 1700000000], [1, "NaN", 1700000001], [2, 0.75, 1700000002]],
});
log({ op: "mark_stopped" });
