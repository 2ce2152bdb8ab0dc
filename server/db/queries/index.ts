export * from "./accounts.ts";
export * from "./credentials.ts";
export * from "./migrations.ts";
export * from "./audit.ts";
