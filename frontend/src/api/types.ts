// Shapes shared by the pages. Server answers are described in docs/server.md and the
// OpenAPI document at /api/v1/openapi.json.
export interface ProjectRef {
  workspace: string;
  name: string;
}

export interface PageProps {
  project: ProjectRef;
  query: URLSearchParams;
}
