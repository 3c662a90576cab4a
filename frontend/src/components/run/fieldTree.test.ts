import { describe, expect, it } from "vitest";
import { buildTree, flattenTree, monitoringNamespaces, pathsOfType } from "./fieldTree";

const structure = {
  "sys/id": "string",
  "sys/name": "string",
  "train/loss": "float_series",
  "train/acc": "float_series",
  "train/inner/lr": "float",
  "params/lr": "float",
  "monitoring/ab12cd34/cpu": "float_series",
  "monitoring/ab12cd34/stdout": "string_series",
  top: "int",
};

describe("field tree", () => {
  it("nests namespaces, namespaces first, names sorted", () => {
    const root = buildTree(structure);
    expect(root.children.map((c) => c.name)).toEqual(["monitoring", "params", "sys", "train", "top"]);
    const train = root.children[3];
    expect(train.children.map((c) => [c.name, c.type])).toEqual([
      ["inner", undefined],
      ["acc", "float_series"],
      ["loss", "float_series"],
    ]);
  });

  it("shows only the children of open namespaces", () => {
    const rows = flattenTree(buildTree(structure), new Set(["train"]));
    expect(rows.map((r) => `${r.depth}:${r.node.path}`)).toEqual([
      "0:monitoring",
      "0:params",
      "0:sys",
      "0:train",
      "1:train/inner",
      "1:train/acc",
      "1:train/loss",
      "0:top",
    ]);
  });

  it("shows every match with its parents when searching", () => {
    const rows = flattenTree(buildTree(structure), new Set(), "LR");
    expect(rows.map((r) => r.node.path)).toEqual(["params", "params/lr", "train", "train/inner", "train/inner/lr"]);
  });

  it("lists the fields of one type under a namespace", () => {
    expect(pathsOfType(structure, "float_series", "train")).toEqual(["train/acc", "train/loss"]);
    expect(pathsOfType(structure, "float_series")).toHaveLength(3);
    expect(monitoringNamespaces(structure)).toEqual(["monitoring/ab12cd34"]);
  });
});
