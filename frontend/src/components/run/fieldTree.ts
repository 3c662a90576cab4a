// The field tree of a container as data: built from the structure (path -> type), filtered by
// a search text, flattened into the rows the (virtualised) tree shows.

export interface TreeNode {
  name: string;
  path: string;
  /** the field's type; undefined for a namespace */
  type?: string;
  children: TreeNode[];
}

export interface TreeRow {
  node: TreeNode;
  depth: number;
  open: boolean;
}

export function buildTree(structure: Record<string, string>): TreeNode {
  const root: TreeNode = { name: "", path: "", children: [] };
  const namespaces = new Map<string, TreeNode>([["", root]]);
  const paths = Object.keys(structure).sort();
  for (const path of paths) {
    const parts = path.split("/");
    let parent = root;
    for (let i = 0; i < parts.length - 1; i++) {
      const ns = parts.slice(0, i + 1).join("/");
      let node = namespaces.get(ns);
      if (!node) {
        node = { name: parts[i], path: ns, children: [] };
        namespaces.set(ns, node);
        parent.children.push(node);
      }
      parent = node;
    }
    parent.children.push({ name: parts[parts.length - 1], path, type: structure[path], children: [] });
  }
  const order = (n: TreeNode) => {
    // namespaces first, then fields, each by name
    n.children.sort((a, b) => Number(a.type !== undefined) - Number(b.type !== undefined) || a.name.localeCompare(b.name, undefined, { numeric: true }));
    n.children.forEach(order);
  };
  order(root);
  return root;
}

/** The rows to show: children of open namespaces; a search shows every match and its parents. */
export function flattenTree(root: TreeNode, open: Set<string>, search = ""): TreeRow[] {
  const q = search.trim().toLowerCase();
  const rows: TreeRow[] = [];
  const matches = (n: TreeNode): boolean =>
    n.path.toLowerCase().includes(q) || n.children.some(matches);
  const walk = (n: TreeNode, depth: number) => {
    for (const c of n.children) {
      if (q && !matches(c)) continue;
      const isOpen = c.type === undefined && (q !== "" || open.has(c.path));
      rows.push({ node: c, depth, open: isOpen });
      if (isOpen) walk(c, depth + 1);
    }
  };
  walk(root, 0);
  return rows;
}

/** Every field path at or under a namespace ("" for all) whose type is `type`. */
export function pathsOfType(structure: Record<string, string>, type: string, prefix = ""): string[] {
  const p = prefix === "" ? "" : prefix.replace(/\/$/, "") + "/";
  return Object.keys(structure)
    .filter((k) => structure[k] === type && (p === "" || k.startsWith(p)))
    .sort();
}

/** The monitoring namespaces (monitoring/<hash>) of a run. */
export function monitoringNamespaces(structure: Record<string, string>): string[] {
  const out = new Set<string>();
  for (const k of Object.keys(structure)) {
    const m = /^monitoring\/([^/]+)\//.exec(k);
    if (m) out.add(`monitoring/${m[1]}`);
  }
  return [...out].sort();
}
