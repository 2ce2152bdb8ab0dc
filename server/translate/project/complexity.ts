// A rough effort score per object, for ordering review work: small and stable, not a metric to
// optimise. Modules: 1 + statements + joins + subqueries×2 + CTEs×2 + set operations + CASEs +
// user function calls + one per 40 nodes. Tables: 1 + one per 10 columns + one per constraint.
import type { CatalogObject } from "../../catalog/model.ts";
import { walk } from "../../tsql/walk.ts";

export function complexityOf(o: CatalogObject): number {
  if (o.kind === "table") return 1 + Math.floor(o.columns.length / 10) + o.constraints.length;
  const ast = o.module?.ast;
  if (!ast) return 1;
  let score = 1;
  let nodes = 0;
  walk(ast, (n) => {
    nodes++;
    switch (n.kind) {
      case "Join":
        score += 1;
        break;
      case "Subquery":
      case "Exists":
      case "DerivedTable":
        score += 2;
        break;
      case "SetOperation":
      case "Case":
        score += 1;
        break;
      case "FunctionCall":
        if (n.name.schema) score += 1;
        break;
      case "Cte":
        score += 2;
        break;
      default:
        if (["Select", "Insert", "Update", "Delete", "Merge", "If", "While", "Declare", "Set", "Exec"].includes(n.kind)) score += 1;
    }
    return true;
  });
  return score + Math.floor(nodes / 40);
}
