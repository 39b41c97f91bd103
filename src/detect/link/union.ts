/** A node of the union-find forest over accounts; the root stands for the cluster. */
export interface LinkNode {
  id: string;
  parent: LinkNode | null;
  /** Accounts under this node (meaningful at the root). */
  size: number;
  /** Link kinds that joined accounts into this cluster (meaningful at the root). */
  via: Set<string>;
}

/** A fresh singleton node. */
export function linkNode(id: string): LinkNode {
  return { id, parent: null, size: 1, via: new Set() };
}

/** The root of a node, with path halving (amortised near-constant time). */
export function findRoot(node: LinkNode): LinkNode {
  let n = node;
  while (n.parent) {
    if (n.parent.parent) n.parent = n.parent.parent;
    n = n.parent;
  }
  return n;
}

/**
 * Unites the trees of `a` and `b` (union by size). Returns the surviving root and the absorbed
 * one, or null when they were already one cluster.
 */
export function unite(
  a: LinkNode,
  b: LinkNode,
  kind: string,
): { root: LinkNode; absorbed: LinkNode } | null {
  let ra = findRoot(a);
  let rb = findRoot(b);
  if (ra === rb) {
    ra.via.add(kind);
    return null;
  }
  if (ra.size < rb.size) [ra, rb] = [rb, ra];
  rb.parent = ra;
  ra.size += rb.size;
  for (const v of rb.via) ra.via.add(v);
  ra.via.add(kind);
  return { root: ra, absorbed: rb };
}
