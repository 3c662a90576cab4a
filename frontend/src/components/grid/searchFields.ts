// Searching a project's field list for the column chooser: every word of the query must
// appear in the path (case-insensitive); paths starting with the query come first.
export interface FieldLike {
  path: string;
  type: string;
}

export function searchFields<F extends FieldLike>(fields: readonly F[], query: string, limit = 200): { shown: F[]; more: number } {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const q = query.trim().toLowerCase();
  const hits = words.length ? fields.filter((f) => words.every((w) => f.path.toLowerCase().includes(w))) : fields.slice();
  hits.sort((a, b) => {
    const pa = q && a.path.toLowerCase().startsWith(q) ? 0 : 1;
    const pb = q && b.path.toLowerCase().startsWith(q) ? 0 : 1;
    return pa - pb || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  });
  return { shown: hits.slice(0, limit), more: Math.max(0, hits.length - limit) };
}
