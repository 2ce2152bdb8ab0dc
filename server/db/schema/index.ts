// Every table, one file per table group. drizzle-kit reads this file to generate migrations/.
export * from "./organizations.ts";
export * from "./credentials.ts";
export * from "./migrations.ts";
export * from "./audit.ts";
export * from "./finetune.ts";
export * from "./llm.ts";
export * from "./guardian.ts";
export * from "./agents.ts";
