import { describe, expect, it } from "vitest";
import { ApiError } from "./client";
import { queryError } from "./tables";

describe("queryError", () => {
  it("takes the position from the answer's body", () => {
    const e = new ApiError(400, "unexpected '>' (at position 3)\n  a > > 1\n     ^", {
      error: "NQLSyntaxError",
      position: 4,
    });
    expect(queryError(e)).toEqual({ message: "unexpected '>' (at position 3)", position: 4 });
  });
  it("falls back to the message of an older server", () => {
    const e = new ApiError(400, "unexpected '>' (at position 3)\n  a > > 1");
    expect(queryError(e)?.position).toBe(3);
  });
  it("is null for other errors", () => {
    expect(queryError(new ApiError(500, "boom"))).toBeNull();
    expect(queryError(new Error("x"))).toBeNull();
  });
});
