// Public surface of the database layer.
export { openDatabase, databaseLocation, queryRows, DatabaseLockedError, type Db, type DatabaseHandle, type DatabaseLocation, type Schema } from "./client.ts";
export { migrateDatabase, MIGRATIONS_FOLDER } from "./migrate.ts";
export * as schema from "./schema/index.ts";
export * from "./queries/index.ts";
