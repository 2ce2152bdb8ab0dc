// LangGraph checkpoints of migration runs (server/agents/checkpoint.ts), for the embedded PGlite
// which cannot host @langchain/langgraph-checkpoint-postgres (it needs a `pg` connection). On a
// real Postgres the run uses that package in its own `langgraph` schema instead. thread_id is the
// migration id; serialized values are the serializer's bytes in base64.
import { integer, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";

export const agentCheckpoints = pgTable(
  "agent_checkpoints",
  {
    threadId: text().notNull(),
    checkpointNs: text().notNull().default(""),
    checkpointId: text().notNull(),
    parentCheckpointId: text(),
    type: text().notNull(),
    checkpoint: text().notNull(),
    metadataType: text().notNull(),
    metadata: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.threadId, t.checkpointNs, t.checkpointId] })],
);

export const agentCheckpointWrites = pgTable(
  "agent_checkpoint_writes",
  {
    threadId: text().notNull(),
    checkpointNs: text().notNull().default(""),
    checkpointId: text().notNull(),
    taskId: text().notNull(),
    idx: integer().notNull(),
    taskPath: text().notNull().default(""),
    channel: text().notNull(),
    type: text().notNull(),
    value: text().notNull(),
  },
  (t) => [primaryKey({ columns: [t.threadId, t.checkpointNs, t.checkpointId, t.taskId, t.idx] })],
);
