#!/bin/sh
# Log a training run from a POSIX shell script with the despina JSON protocol (JSON lines).
# Each line is appended as the "training" goes; `despina import json run.jsonl` turns the file
# into a run, and can be run again at any time to add the lines written since.
#
#   sh log.sh OUT.jsonl [RUN_ID]
set -eu
out=${1:-run.jsonl}
run_id=${2:-shell-run-1}

# The object line: which run the following lines write to (run_id makes re-imports harmless).
printf '{"kind": "run", "id": "%s", "project": "examples/json-protocol"}\n' "$run_id" >> "$out"
printf '{"op": "assign", "path": "sys/name", "value": "trained from sh"}\n' >> "$out"
printf '{"op": "add_strings", "path": "sys/tags", "values": ["shell", "example"]}\n' >> "$out"
printf '{"op": "assign", "path": "params/lr", "value": 0.05}\n' >> "$out"
printf '{"op": "assign", "path": "params/epochs", "value": 5}\n' >> "$out"
printf '{"op": "assign", "path": "params/optimizer", "value": "sgd"}\n' >> "$out"

loss=1000
step=0
while [ "$step" -lt 5 ]; do
    now=$(date +%s)
    loss=$((loss * 7 / 10))
    # awk prints the float; the shell only does integers
    value=$(awk "BEGIN { printf \"%.3f\", $loss / 1000 }")
    printf '{"op": "append", "path": "train/loss", "step": %d, "value": %s, "timestamp": %s}\n' \
        "$step" "$value" "$now" >> "$out"
    printf '{"op": "append", "path": "train/log", "step": %d, "value": "epoch %d done"}\n' \
        "$step" "$step" >> "$out"
    step=$((step + 1))
done
printf 'weights of the shell model\n' > "$(dirname "$out")/model.bin"
# Files are named by a path relative to the JSON file.
printf '{"op": "assign_file", "path": "model/weights", "file": "model.bin"}\n' >> "$out"
printf '{"op": "mark_stopped"}\n' >> "$out"
