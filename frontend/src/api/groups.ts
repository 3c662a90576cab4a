// Groups of the runs table (POST projects/{ws}/{name}/tables/{kind}/groups): counts and
// aggregates computed by the server's database, one row per group.
import { sendJSON } from "./client";
import { projectPath, type TableKind } from "./tables";
import type { ProjectRef } from "./types";

export type AggregateName = "mean" | "min" | "max" | "std";
export const AGGREGATES: AggregateName[] = ["mean", "min", "max", "std"];

export interface GroupsRequest {
  group_by: string[];
  columns?: string[];
  filter?: string;
  sort_by?: "key" | "count" | { column: string; function: AggregateName | "count" };
  ascending?: boolean;
  limit?: number;
  offset?: number;
  trashed?: boolean | null;
}

/** A float as JSON carries it: a number, "NaN", "Infinity", "-Infinity" or null. */
export type WireFloat = number | string | null;

export interface WireAggregate {
  count: number;
  mean: WireFloat;
  min: WireFloat;
  max: WireFloat;
  std: WireFloat;
}

export interface WireGroup {
  /** One value per grouping field; null: the runs without the field. */
  key: unknown[];
  types: (string | null)[];
  count: number;
  aggregates: Record<string, WireAggregate>;
  /** The group's filter as NQL: ANDed with the query, it lists the group's runs. */
  nql: string;
}

export interface GroupsAnswer {
  by: string[];
  columns: string[];
  total: number;
  groups: WireGroup[];
}

export function fetchGroups(
  project: ProjectRef,
  kind: TableKind,
  body: GroupsRequest,
  signal?: AbortSignal,
): Promise<GroupsAnswer> {
  return sendJSON<GroupsAnswer>("POST", `${projectPath(project)}/tables/${kind}/groups`, body, signal);
}
