// Dashboards and reports of a project (projects/{ws}/{name}/dashboards, /reports): the server
// stores them as validated documents; the widgets' data is computed by the app
// (lib/dashboard/widgetData.ts) from the tables, buckets and fields routes.
import { getJSON, request, sendJSON } from "./client";
import { projectPath } from "./tables";
import type { ProjectRef } from "./types";

export type WidgetType = "line" | "scatter" | "parallel" | "images" | "table" | "value" | "markdown";
export const WIDGET_TYPES: WidgetType[] = ["line", "scatter", "parallel", "images", "table", "value", "markdown"];
export type XAxis = "step" | "time" | "relative";
export type Aggregate = "last" | "mean" | "min" | "max" | "count";

interface Base {
  id: string;
  title: string;
  x: number;
  y: number;
  w: number;
  h: number;
}
export interface LineWidget extends Base {
  type: "line";
  query: string;
  group: string | null;
  series: string[];
  xaxis: XAxis;
}
export interface ScatterWidget extends Base {
  type: "scatter";
  query: string;
  x_field: string;
  y_field: string;
}
export interface ParallelWidget extends Base {
  type: "parallel";
  query: string;
  fields: string[];
}
export interface ImagesWidget extends Base {
  type: "images";
  query: string;
  field: string;
  step: number | null;
}
export interface TableWidget extends Base {
  type: "table";
  query: string;
  columns: string[];
  sort: { path: string; dir: "asc" | "desc" } | null;
  limit: number;
}
export interface ValueWidget extends Base {
  type: "value";
  query: string;
  field: string;
  aggregate: Aggregate;
}
export interface MarkdownWidget extends Base {
  type: "markdown";
  text: string;
}
export type Widget = LineWidget | ScatterWidget | ParallelWidget | ImagesWidget | TableWidget | ValueWidget | MarkdownWidget;

export const COLUMNS = 12;
export const MAX_WIDGETS = 60;

export interface Layout {
  columns: number;
  widgets: Widget[];
}

export interface DashboardSummary {
  id: number;
  name: string;
  widgets: number;
  updated: number;
  updated_by: string;
}

export interface Dashboard {
  id: number;
  name: string;
  layout: Layout;
  version: number;
  updated: number;
  updated_by: string;
}

export interface ReportSummary {
  id: number;
  title: string;
  dashboard_id: number | null;
  created: number;
  created_by: string;
}

export interface Report extends ReportSummary {
  layout: Layout;
  /** The frozen data of each widget, keyed by widget id (lib/dashboard/widgetData.ts). */
  data: Record<string, unknown>;
  runs: string[];
}

export interface NewReport {
  title: string;
  dashboard_id: number | null;
  layout: Layout;
  data: Record<string, unknown>;
  runs: string[];
}

export async function listDashboards(p: ProjectRef, signal?: AbortSignal): Promise<DashboardSummary[]> {
  return (await getJSON<{ dashboards: DashboardSummary[] }>(`${projectPath(p)}/dashboards`, signal)).dashboards;
}

export function createDashboard(p: ProjectRef, name: string, layout: Layout): Promise<Dashboard> {
  return sendJSON<Dashboard>("POST", `${projectPath(p)}/dashboards`, { name, layout });
}

export function getDashboard(p: ProjectRef, id: number, signal?: AbortSignal): Promise<Dashboard> {
  return getJSON<Dashboard>(`${projectPath(p)}/dashboards/${id}`, signal);
}

/** Saves the edit of `version`; a 409 ApiError when someone saved meanwhile. */
export function saveDashboard(p: ProjectRef, id: number, name: string, layout: Layout, version: number): Promise<Dashboard> {
  return sendJSON<Dashboard>("PUT", `${projectPath(p)}/dashboards/${id}`, { name, layout, version });
}

export async function deleteDashboard(p: ProjectRef, id: number): Promise<void> {
  await request(`${projectPath(p)}/dashboards/${id}`, { method: "DELETE" });
}

export function createReport(p: ProjectRef, report: NewReport): Promise<Report> {
  return sendJSON<Report>("POST", `${projectPath(p)}/reports`, report);
}

export async function listReports(p: ProjectRef, signal?: AbortSignal): Promise<ReportSummary[]> {
  return (await getJSON<{ reports: ReportSummary[] }>(`${projectPath(p)}/reports`, signal)).reports;
}

export function getReport(p: ProjectRef, id: number, signal?: AbortSignal): Promise<Report> {
  return getJSON<Report>(`${projectPath(p)}/reports/${id}`, signal);
}

export async function deleteReport(p: ProjectRef, id: number): Promise<void> {
  await request(`${projectPath(p)}/reports/${id}`, { method: "DELETE" });
}
