// Dependency order over the catalog's dependsOn graph: what must exist before what. Strongly
// connected components (Tarjan, iterative: real graphs can be deep) become reported cycles and are
// emitted together; everything else comes out dependencies-first, ties broken by id so the order is
// stable from run to run.
import type { Catalog, CatalogObjectKind } from "./model.ts";

export interface OrderOptions {
  /** Only order objects of these kinds (edges through other kinds are followed transitively). */
  kinds?: CatalogObjectKind[];
}

export interface DependencyOrder {
  /** Object ids, each after everything it depends on (members of a cycle are adjacent). */
  order: string[];
  /** Groups of ids that depend on each other (self-references excluded). */
  cycles: string[][];
}

export function dependencyOrder(catalog: Pick<Catalog, "objects">, opts: OrderOptions = {}): DependencyOrder {
  const kinds = opts.kinds ? new Set<string>(opts.kinds) : undefined;
  const byId = new Map(catalog.objects.map((o) => [o.id, o]));
  const included = (id: string) => {
    const o = byId.get(id);
    return !!o && (!kinds || kinds.has(o.kind));
  };
  // Edges between included nodes; through excluded nodes, follow to the included ones beyond.
  const edges = new Map<string, string[]>();
  const reach = (from: string): string[] => {
    const out = new Set<string>();
    const seen = new Set<string>([from]);
    const stack = [...(byId.get(from)?.dependsOn ?? [])];
    while (stack.length) {
      const id = stack.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      if (!byId.has(id)) continue;
      if (included(id)) out.add(id);
      else stack.push(...(byId.get(id)?.dependsOn ?? []));
    }
    return [...out].sort();
  };
  const nodes = catalog.objects.map((o) => o.id).filter(included).sort();
  for (const id of nodes) edges.set(id, kinds ? reach(id) : (byId.get(id)?.dependsOn ?? []).filter((d) => byId.has(d) && d !== id).sort());

  // Tarjan's SCC, iterative.
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const sccs: string[][] = [];
  for (const root of nodes) {
    if (idx.has(root)) continue;
    const work: { id: string; i: number }[] = [{ id: root, i: 0 }];
    idx.set(root, index);
    low.set(root, index++);
    stack.push(root);
    onStack.add(root);
    while (work.length) {
      const top = work[work.length - 1]!;
      const succ = edges.get(top.id) ?? [];
      if (top.i < succ.length) {
        const next = succ[top.i++]!;
        if (!idx.has(next)) {
          idx.set(next, index);
          low.set(next, index++);
          stack.push(next);
          onStack.add(next);
          work.push({ id: next, i: 0 });
        } else if (onStack.has(next)) {
          low.set(top.id, Math.min(low.get(top.id)!, idx.get(next)!));
        }
      } else {
        work.pop();
        const parent = work[work.length - 1];
        if (parent) low.set(parent.id, Math.min(low.get(parent.id)!, low.get(top.id)!));
        if (low.get(top.id) === idx.get(top.id)) {
          const comp: string[] = [];
          let x: string;
          do {
            x = stack.pop()!;
            onStack.delete(x);
            comp.push(x);
          } while (x !== top.id);
          sccs.push(comp.sort());
        }
      }
    }
  }
  // Tarjan emits components in reverse topological order of the condensation with edges
  // pointing at dependencies, i.e. dependencies first: exactly the order we want. Re-run as Kahn
  // over components for a deterministic tie-break by smallest id.
  const compOf = new Map<string, number>();
  sccs.forEach((c, i) => c.forEach((id) => compOf.set(id, i)));
  const indeg = new Array<number>(sccs.length).fill(0);
  const dependents = sccs.map(() => new Set<number>());
  for (const [id, deps] of edges) {
    const c = compOf.get(id)!;
    for (const d of deps) {
      const dc = compOf.get(d);
      if (dc === undefined || dc === c) continue;
      if (!dependents[dc]!.has(c)) {
        dependents[dc]!.add(c);
        indeg[c]!++;
      }
    }
  }
  const key = (i: number) => sccs[i]![0]!;
  const ready = new MinHeap<number>((a, b) => key(a) < key(b));
  sccs.forEach((_, i) => {
    if (indeg[i] === 0) ready.push(i);
  });
  const order: string[] = [];
  while (ready.size > 0) {
    const c = ready.pop()!;
    order.push(...sccs[c]!);
    for (const d of dependents[c]!) if (--indeg[d]! === 0) ready.push(d);
  }
  return { order, cycles: sccs.filter((c) => c.length > 1) };
}

class MinHeap<T> {
  private items: T[] = [];
  constructor(private readonly less: (a: T, b: T) => boolean) {}
  get size(): number {
    return this.items.length;
  }
  push(x: T): void {
    const a = this.items;
    a.push(x);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(a[i]!, a[p]!)) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }
  pop(): T | undefined {
    const a = this.items;
    if (a.length === 0) return undefined;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.less(a[l]!, a[m]!)) m = l;
        if (r < a.length && this.less(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}
