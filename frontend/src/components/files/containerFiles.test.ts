import { describe, expect, it } from "vitest";
import { fileFields } from "./ContainerFiles";

describe("fileFields", () => {
  it("keeps the fields that hold files, by path", () => {
    const fields = [
      { path: "z/file", type: "file", value: { hash: "h", size: 1, extension: "txt" } },
      { path: "about", type: "string", value: "x" },
      { path: "a/set", type: "file_set", value: { files: [] } },
      { path: "m/art", type: "artifact", value: { hash: "a" } },
      { path: "img", type: "file_series", value: { count: 2 } },
      { path: "loss", type: "float_series", value: { count: 2 } },
    ];
    expect(fileFields(fields).map((f) => f.path)).toEqual(["a/set", "img", "m/art", "z/file"]);
  });
});
