// The catalog's public surface.
export { buildCatalog, countByKind, withoutAsts, idOf, columnTypeOf, KIND_ORDER, type BuildOptions } from "./build.ts";
export { dependencyOrder, type DependencyOrder, type OrderOptions } from "./graph.ts";
export * from "./model.ts";
export { inspectPaths, type InspectResult } from "./inspect.ts";
