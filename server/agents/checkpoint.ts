// Where a run's graph state is checkpointed, so that a run interrupted by a crash or a restart
// resumes where it stopped. On a real Postgres (DATABASE_URL): @langchain/langgraph-checkpoint-
// postgres in its own `langgraph` schema. On the embedded PGlite, which that package cannot reach
// (it opens its own `pg` pool), DbCheckpointSaver below keeps the same data in two tables of ours
// (agent_checkpoints, agent_checkpoint_writes) through the app's Db handle.
import { and, desc, eq, lt, sql } from "drizzle-orm";
import {
  BaseCheckpointSaver,
  WRITES_IDX_MAP,
  compareWritesSortKeys,
  getCheckpointId,
  writesSortKey,
  type Checkpoint,
  type CheckpointListOptions,
  type CheckpointMetadata,
  type CheckpointTuple,
  type PendingWrite,
} from "@langchain/langgraph-checkpoint";
import type { RunnableConfig } from "@langchain/core/runnables";
import { queryRows, type Db } from "../db/client.ts";
import { agentCheckpointWrites, agentCheckpoints } from "../db/schema/agents.ts";

const b64 = (u: Uint8Array) => Buffer.from(u).toString("base64");
const unb64 = (s: string) => new Uint8Array(Buffer.from(s, "base64"));

export class DbCheckpointSaver extends BaseCheckpointSaver {
  constructor(private readonly db: Db) {
    super();
  }

  private async pendingWrites(threadId: string, ns: string, checkpointId: string): Promise<[string, string, unknown][]> {
    const rows = await this.db
      .select()
      .from(agentCheckpointWrites)
      .where(and(eq(agentCheckpointWrites.threadId, threadId), eq(agentCheckpointWrites.checkpointNs, ns), eq(agentCheckpointWrites.checkpointId, checkpointId)));
    rows.sort((a, b) => compareWritesSortKeys(writesSortKey(a.taskPath, a.taskId, a.idx), writesSortKey(b.taskPath, b.taskId, b.idx)));
    return Promise.all(rows.map(async (r) => [r.taskId, r.channel, await this.serde.loadsTyped(r.type, unb64(r.value))] as [string, string, unknown]));
  }

  private async toTuple(row: typeof agentCheckpoints.$inferSelect): Promise<CheckpointTuple> {
    const checkpoint = (await this.serde.loadsTyped(row.type, unb64(row.checkpoint))) as Checkpoint;
    const metadata = (await this.serde.loadsTyped(row.metadataType, unb64(row.metadata))) as CheckpointMetadata;
    const tuple: CheckpointTuple = {
      config: { configurable: { thread_id: row.threadId, checkpoint_ns: row.checkpointNs, checkpoint_id: row.checkpointId } },
      checkpoint,
      metadata,
      pendingWrites: await this.pendingWrites(row.threadId, row.checkpointNs, row.checkpointId),
    };
    if (row.parentCheckpointId) tuple.parentConfig = { configurable: { thread_id: row.threadId, checkpoint_ns: row.checkpointNs, checkpoint_id: row.parentCheckpointId } };
    return tuple;
  }

  async getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    const threadId = config.configurable?.thread_id as string | undefined;
    if (threadId === undefined) return undefined;
    const ns = (config.configurable?.checkpoint_ns as string | undefined) ?? "";
    const id = getCheckpointId(config);
    const where = [eq(agentCheckpoints.threadId, threadId), eq(agentCheckpoints.checkpointNs, ns)];
    if (id) where.push(eq(agentCheckpoints.checkpointId, id));
    // Checkpoint ids are uuid6: their text order is their time order.
    const [row] = await this.db.select().from(agentCheckpoints).where(and(...where)).orderBy(desc(agentCheckpoints.checkpointId)).limit(1);
    return row ? this.toTuple(row) : undefined;
  }

  async *list(config: RunnableConfig, options: CheckpointListOptions = {}): AsyncGenerator<CheckpointTuple> {
    const where = [];
    const threadId = config.configurable?.thread_id as string | undefined;
    if (threadId !== undefined) where.push(eq(agentCheckpoints.threadId, threadId));
    const ns = config.configurable?.checkpoint_ns as string | undefined;
    if (ns !== undefined) where.push(eq(agentCheckpoints.checkpointNs, ns));
    const id = config.configurable?.checkpoint_id as string | undefined;
    if (id) where.push(eq(agentCheckpoints.checkpointId, id));
    const before = options.before?.configurable?.checkpoint_id as string | undefined;
    if (before) where.push(lt(agentCheckpoints.checkpointId, before));
    const rows = await this.db
      .select()
      .from(agentCheckpoints)
      .where(where.length ? and(...where) : sql`true`)
      .orderBy(desc(agentCheckpoints.checkpointId));
    let left = options.limit;
    for (const row of rows) {
      const tuple = await this.toTuple(row);
      if (options.filter && !Object.entries(options.filter).every(([k, v]) => (tuple.metadata as Record<string, unknown> | undefined)?.[k] === v)) continue;
      if (left !== undefined) {
        if (left <= 0) return;
        left--;
      }
      yield tuple;
    }
  }

  async put(config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata): Promise<RunnableConfig> {
    const threadId = config.configurable?.thread_id as string | undefined;
    if (threadId === undefined) throw new Error("checkpoint without a thread_id");
    const ns = (config.configurable?.checkpoint_ns as string | undefined) ?? "";
    const [[type, data], [metadataType, meta]] = await Promise.all([this.serde.dumpsTyped(checkpoint), this.serde.dumpsTyped(metadata)]);
    const row = {
      threadId,
      checkpointNs: ns,
      checkpointId: checkpoint.id,
      parentCheckpointId: (config.configurable?.checkpoint_id as string | undefined) ?? null,
      type,
      checkpoint: b64(data),
      metadataType,
      metadata: b64(meta),
    };
    await this.db
      .insert(agentCheckpoints)
      .values(row)
      .onConflictDoUpdate({
        target: [agentCheckpoints.threadId, agentCheckpoints.checkpointNs, agentCheckpoints.checkpointId],
        set: { type: row.type, checkpoint: row.checkpoint, metadataType: row.metadataType, metadata: row.metadata },
      });
    return { configurable: { thread_id: threadId, checkpoint_ns: ns, checkpoint_id: checkpoint.id } };
  }

  async putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string, taskPath = ""): Promise<void> {
    const threadId = config.configurable?.thread_id as string | undefined;
    const checkpointId = config.configurable?.checkpoint_id as string | undefined;
    if (threadId === undefined || checkpointId === undefined) throw new Error("writes without a thread_id or checkpoint_id");
    const ns = (config.configurable?.checkpoint_ns as string | undefined) ?? "";
    for (let i = 0; i < writes.length; i++) {
      const [channel, value] = writes[i]!;
      const idx = WRITES_IDX_MAP[channel] ?? i;
      const [type, data] = await this.serde.dumpsTyped(value);
      const row = { threadId, checkpointNs: ns, checkpointId, taskId, idx, taskPath, channel, type, value: b64(data) };
      const q = this.db.insert(agentCheckpointWrites).values(row);
      const target = [agentCheckpointWrites.threadId, agentCheckpointWrites.checkpointNs, agentCheckpointWrites.checkpointId, agentCheckpointWrites.taskId, agentCheckpointWrites.idx];
      // Special writes (errors, interrupts: negative idx) replace; regular ones are written once.
      if (idx < 0) await q.onConflictDoUpdate({ target, set: { channel, type, value: row.value, taskPath } });
      else await q.onConflictDoNothing({ target });
    }
  }

  async deleteThread(threadId: string): Promise<void> {
    await this.db.delete(agentCheckpointWrites).where(eq(agentCheckpointWrites.threadId, threadId));
    await this.db.delete(agentCheckpoints).where(eq(agentCheckpoints.threadId, threadId));
  }
}

export interface OpenedCheckpointer {
  saver: BaseCheckpointSaver;
  kind: "postgres" | "db";
  close(): Promise<void>;
}

/** Whether the Db handle talks to a real Postgres (postgres.js) rather than PGlite. */
export function isPostgresDb(db: Db): boolean {
  const client = (db as unknown as { $client?: unknown }).$client;
  // postgres.js' client is a function (the tagged template); PGlite's is a class instance.
  return typeof client === "function";
}

/**
 * The checkpointer for a run: PostgresSaver on the real Postgres named by `databaseUrl` (the same
 * database as `db`), else our own tables through `db`.
 */
export async function openCheckpointer(db: Db, databaseUrl: string | undefined): Promise<OpenedCheckpointer> {
  if (databaseUrl && isPostgresDb(db)) {
    const { PostgresSaver } = await import("@langchain/langgraph-checkpoint-postgres");
    const saver = PostgresSaver.fromConnString(databaseUrl, { schema: "langgraph" });
    // With DATABASE_OWNER_URL the schema's owner created these tables at start (server/db/roles.ts)
    // and the application's role may not CREATE SCHEMA: setup() would only fail on it, leaving a
    // "permission denied" in the server's log for every run.
    const [own] = await queryRows<{ exists: boolean; create: boolean }>(
      db,
      sql`select exists (select 1 from pg_namespace where nspname = 'langgraph') as exists, has_database_privilege(current_database(), 'CREATE') as create`,
    );
    if (own?.exists && !own.create) return { saver, kind: "postgres", close: () => saver.end() };
    try {
      await saver.setup();
    } catch (err) {
      // With DATABASE_OWNER_URL the schema's owner created these tables at start and the
      // application's role may not CREATE SCHEMA (server/db/roles.ts): nothing left to set up.
      if ((err as { code?: string }).code === "42501") return { saver, kind: "postgres", close: () => saver.end() };
      // Two workers starting their first run at once race on CREATE SCHEMA/TABLE IF NOT EXISTS
      // (a unique violation in the catalog): the loser finds everything created on a second try.
      await new Promise((r) => setTimeout(r, 200));
      try {
        await saver.setup();
      } catch (e) {
        await saver.end().catch(() => {});
        throw e;
      }
    }
    return { saver, kind: "postgres", close: () => saver.end() };
  }
  return { saver: new DbCheckpointSaver(db), kind: "db", close: async () => {} };
}

