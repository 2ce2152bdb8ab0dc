export * from "./accounts.ts";
export * from "./credentials.ts";
export * from "./migrations.ts";
export * from "./audit.ts";
export * from "./migration-models.ts";
