import { describe, expect, it } from "vitest";
import { runStateKind, withStateColumns } from "./runState";

describe("runStateKind", () => {
  it("says failed for a failed run whatever its state", () => {
    expect(runStateKind("idle", true)).toBe("failed");
    expect(runStateKind(null, true)).toBe("failed");
  });
  it("says running or idle otherwise, also for Neptune's names", () => {
    expect(runStateKind("running", false)).toBe("running");
    expect(runStateKind("idle", null)).toBe("idle");
    expect(runStateKind("Active", undefined)).toBe("running");
    expect(runStateKind("Inactive", false)).toBe("idle");
    expect(runStateKind("other", false)).toBe("unknown");
  });
});

describe("withStateColumns", () => {
  it("adds sys/failed when sys/state is shown", () => {
    expect(withStateColumns(["sys/id", "sys/state"])).toEqual(["sys/id", "sys/state", "sys/failed"]);
    expect(withStateColumns(["sys/id", "sys/failed", "sys/state"])).toEqual(["sys/id", "sys/failed", "sys/state"]);
    expect(withStateColumns(["sys/id"])).toEqual(["sys/id"]);
  });
});
