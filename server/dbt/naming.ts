// Identifier normalisation for generated dbt projects. SQL Server names (PascalCase, spaces,
// brackets, 128 characters, reserved words) become names a Postgres user can type unquoted and a
// dbt user recognises (snake_case, stg_<source>__<entity>). Every rename is deterministic and
// every lossy one (collision, truncation, reserved word) is reported, because a mapping nobody
// can reconstruct is a migration nobody can audit.
import { createHash } from "node:crypto";
import { diagnostic, type Diagnostic, type SourceLocation } from "../diagnostics.ts";

export type NamingStyle = "snake" | "lower" | "preserve";

/** Postgres limits identifiers to NAMEDATALEN-1 bytes and silently truncates longer ones. */
export const POSTGRES_MAX_IDENTIFIER_BYTES = 63;

/**
 * Keywords Postgres does not accept as an unquoted column or table name: the "reserved" and
 * "reserved (can be function or type)" categories of pg_get_keywords() (catcode R and T) of
 * Postgres 15, plus system_user which Postgres 16 made reserved.
 */
export const POSTGRES_RESERVED_WORDS: ReadonlySet<string> = new Set(
  (
    "all analyse analyze and any array as asc asymmetric authorization binary both case cast check " +
    "collate collation column concurrently constraint create cross current_catalog current_date " +
    "current_role current_schema current_time current_timestamp current_user default deferrable desc " +
    "distinct do else end except false fetch for foreign freeze from full grant group having ilike in " +
    "initially inner intersect into is isnull join lateral leading left like limit localtime " +
    "localtimestamp natural not notnull null offset on only or order outer overlaps placing primary " +
    "references returning right select session_user similar some symmetric system_user table " +
    "tablesample then to trailing true union unique user using variadic verbose when where window with"
  ).split(" "),
);

export function isPostgresReserved(name: string): boolean {
  return POSTGRES_RESERVED_WORDS.has(name.toLowerCase());
}

/** True when `name` can be written unquoted in Postgres and means itself (lower case, no keyword). */
export function isPlainPostgresIdentifier(name: string): boolean {
  return /^[a-z_][a-z0-9_$]*$/.test(name) && !isPostgresReserved(name) && utf8Length(name) <= POSTGRES_MAX_IDENTIFIER_BYTES;
}

/** Double-quotes an identifier when Postgres needs it, doubling embedded quotes. */
export function quotePostgresIdentifier(name: string, always = false): string {
  if (!always && isPlainPostgresIdentifier(name)) return name;
  return `"${name.replace(/"/g, '""')}"`;
}

function utf8Length(s: string): number {
  return Buffer.byteLength(s, "utf8");
}

/** Cuts a string to at most `maxBytes` UTF-8 bytes without splitting a character. */
export function truncateUtf8(s: string, maxBytes: number): string {
  if (utf8Length(s) <= maxBytes) return s;
  let out = "";
  let bytes = 0;
  for (const ch of s) {
    const n = utf8Length(ch);
    if (bytes + n > maxBytes) break;
    out += ch;
    bytes += n;
  }
  return out;
}

function shortHash(s: string): string {
  return createHash("sha256").update(s, "utf8").digest("hex").slice(0, 8);
}

/**
 * Splits a SQL Server name into words: camelCase and PascalCase boundaries, acronyms
 * (`HTTPStatus` → HTTP, Status), and every run of characters that is not a letter or digit.
 * Digits stay attached to the word before them (`AddressLine1` → Address, Line1).
 */
export function splitWords(name: string): string[] {
  // Strip diacritics so that `Città` becomes `citta`; other scripts are kept as letters.
  const plain = name.normalize("NFKD").replace(/\p{M}+/gu, "");
  const words: string[] = [];
  for (const chunk of plain.split(/[^\p{L}\p{N}]+/u)) {
    if (!chunk) continue;
    const spaced = chunk
      .replace(/(\p{Ll}|\p{N})(\p{Lu})/gu, "$1 $2")
      .replace(/(\p{Lu})(\p{Lu}\p{Ll})/gu, "$1 $2");
    for (const w of spaced.split(" ")) if (w) words.push(w);
  }
  return words;
}

/** The lexical part of normalisation, without reserved-word, length or collision handling. */
export function normaliseWords(name: string, style: NamingStyle): string {
  switch (style) {
    case "preserve":
      return name;
    case "lower":
      return name.toLowerCase();
    case "snake":
      return splitWords(name)
        .map((w) => w.toLowerCase())
        .join("_");
  }
}

export interface NormaliseOptions {
  style?: NamingStyle;
  /** What to do when the result is a Postgres reserved word: add a trailing underscore (default) or keep it (the generator will quote it). */
  reserved?: "suffix" | "keep";
  maxBytes?: number;
}

export interface NormalisedName {
  name: string;
  /** What happened beyond the lexical change, for the diagnostic message. */
  changes: Array<"empty" | "leading_digit" | "reserved" | "truncated">;
}

/**
 * Normalises one identifier, without looking at its neighbours (see NameScope for collisions).
 * snake: `PersonID` → `person_id`, `HTTPStatus` → `http_status`, `[Order Details]` → `order_details`.
 * A name that would start with a digit gets a leading underscore; an empty one becomes `unnamed`;
 * a reserved word gets a trailing underscore; a name over 63 bytes is cut and given a hash suffix
 * so that two long names that share a prefix stay distinct.
 */
export function normaliseIdentifier(name: string, options: NormaliseOptions = {}): NormalisedName {
  const style = options.style ?? "snake";
  const maxBytes = options.maxBytes ?? POSTGRES_MAX_IDENTIFIER_BYTES;
  const changes: NormalisedName["changes"] = [];
  let out = normaliseWords(name, style);
  if (style !== "preserve") {
    if (out === "") {
      out = "unnamed";
      changes.push("empty");
    } else if (/^\p{N}/u.test(out)) {
      out = `_${out}`;
      changes.push("leading_digit");
    }
    if ((options.reserved ?? "suffix") === "suffix" && isPostgresReserved(out)) {
      out = `${out}_`;
      changes.push("reserved");
    }
  }
  if (utf8Length(out) > maxBytes) {
    const hash = shortHash(name);
    out = `${truncateUtf8(out, maxBytes - hash.length - 1).replace(/_+$/, "")}_${hash}`;
    changes.push("truncated");
  }
  return { name: out, changes };
}

/** Convenience: only the normalised string. */
export function toIdentifier(name: string, options: NormaliseOptions = {}): string {
  return normaliseIdentifier(name, options).name;
}

export interface NameScopeOptions extends NormaliseOptions {
  /**
   * false: the originals are already dbt names (`stg_sales__orders`); only make them unique (and
   * keep them within the byte limit). Normalising again would fold the `__`.
   */
  normalise?: boolean;
  /** What the scope holds, for messages: "column of dbo.Orders", "model", "source table of sales". */
  what: string;
  /** Where the renamed objects come from, for the diagnostics' location. */
  at?: SourceLocation;
}

/**
 * One namespace (the columns of one table, the models of one project, the tables of one source).
 * Names are assigned in sorted order of the original names, so the result does not depend on the
 * order in which a reader happened to list the objects: of `OrderID` and `Order_ID`, the one that
 * sorts first keeps `order_id` and the other becomes `order_id_2`. The same original always gets
 * the same name within a scope.
 */
export class NameScope {
  private readonly assigned = new Map<string, string>();
  private readonly taken = new Set<string>();
  readonly diagnostics: Diagnostic[] = [];

  constructor(private readonly options: NameScopeOptions) {}

  /** Reserves names that already exist in the target (for example hand-written models). */
  reserve(...names: string[]): this {
    for (const n of names) this.taken.add(this.key(n));
    return this;
  }

  /** Assigns names to a batch of originals; returns original → normalised. */
  assign(originals: Iterable<string>): Map<string, string> {
    const list = [...originals];
    const unique = [...new Set(list)].filter((o) => !this.assigned.has(o));
    unique.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    // Originals whose normalised name nobody else in the batch wants go first, so that a column
    // really called `a_2` keeps that name rather than losing it to a disambiguated `a`.
    const counts = new Map<string, number>();
    const baseOf = new Map<string, string>();
    for (const o of unique) {
      const b = this.key(this.base(o).name);
      baseOf.set(o, b);
      counts.set(b, (counts.get(b) ?? 0) + 1);
    }
    const uncontested = unique.filter((o) => counts.get(baseOf.get(o)!) === 1 && !this.taken.has(baseOf.get(o)!));
    for (const o of uncontested) this.assignOne(o);
    for (const o of unique) if (!this.assigned.has(o)) this.assignOne(o);
    const result = new Map<string, string>();
    for (const o of list) result.set(o, this.assigned.get(o)!);
    return result;
  }

  /** The name of one original, assigning it if it is new. */
  name(original: string): string {
    return this.assigned.get(original) ?? this.assignOne(original);
  }

  /** Every assignment made so far, original → normalised. */
  entries(): Array<[string, string]> {
    return [...this.assigned.entries()];
  }

  private key(s: string): string {
    return (this.options.style ?? "snake") !== "preserve" ? s.toLowerCase() : s;
  }

  private base(original: string): NormalisedName {
    if (this.options.normalise !== false) return normaliseIdentifier(original, this.options);
    const max = this.options.maxBytes ?? POSTGRES_MAX_IDENTIFIER_BYTES;
    if (utf8Length(original) <= max) return { name: original, changes: [] };
    const hash = shortHash(original);
    return { name: `${truncateUtf8(original, max - hash.length - 1)}_${hash}`, changes: ["truncated"] };
  }

  private assignOne(original: string): string {
    const { name: base, changes } = this.base(original);
    const at = this.options.at ?? { file: "", line: 0 };
    for (const change of changes) {
      if (change === "reserved")
        this.diagnostics.push(
          diagnostic("DBT1002", "note", `${this.options.what} '${original}' is a Postgres reserved word; named '${base}'`, at),
        );
      else if (change === "truncated")
        this.diagnostics.push(
          diagnostic(
            "DBT1003",
            "note",
            `${this.options.what} '${original}' is longer than Postgres's ${POSTGRES_MAX_IDENTIFIER_BYTES}-byte limit; named '${base}'`,
            at,
          ),
        );
      else if (change === "empty")
        this.diagnostics.push(
          diagnostic("DBT1004", "warning", `${this.options.what} '${original}' has no letters or digits; named '${base}'`, at),
        );
    }
    let candidate = base;
    const key = (s: string) => this.key(s);
    for (let i = 2; this.taken.has(key(candidate)); i++) {
      const suffix = `_${i}`;
      candidate = `${truncateUtf8(base, (this.options.maxBytes ?? POSTGRES_MAX_IDENTIFIER_BYTES) - suffix.length)}${suffix}`;
    }
    if (candidate !== base) {
      const holder = [...this.assigned.entries()].find(([, v]) => key(v) === key(base))?.[0];
      this.diagnostics.push(
        diagnostic(
          "DBT1001",
          "warning",
          `${this.options.what} '${original}' normalises to '${base}', which ${holder !== undefined ? `'${holder}' already has` : "is already taken"}; named '${candidate}'`,
          at,
        ),
      );
    }
    this.taken.add(key(candidate));
    this.assigned.set(original, candidate);
    return candidate;
  }
}

export type ModelLayer = "staging" | "intermediate" | "marts";

/** `stg_<source>__<entity>` per dbt Labs' project-structure guide. */
export function stagingModelName(source: string, entity: string, style: NamingStyle = "snake"): string {
  return joinModelName(`stg_${toIdentifier(source, { style, reserved: "keep" })}__${toIdentifier(entity, { style, reserved: "keep" })}`);
}

/** `int_<entity>_<verb>` (for example int_orders_pivoted), per the guide. */
export function intermediateModelName(entity: string, verb?: string, style: NamingStyle = "snake"): string {
  const e = toIdentifier(entity, { style, reserved: "keep" });
  return joinModelName(verb ? `int_${e}_${toIdentifier(verb, { style, reserved: "keep" })}` : `int_${e}`);
}

/** Marts are named after the entity itself (plain `customers`, `orders`). */
export function martModelName(entity: string, style: NamingStyle = "snake"): string {
  return toIdentifier(entity, { style, reserved: "keep" });
}

/** Model names are relation names too, so they obey the 63-byte limit. */
function joinModelName(name: string): string {
  if (utf8Length(name) <= POSTGRES_MAX_IDENTIFIER_BYTES) return name;
  const hash = shortHash(name);
  return `${truncateUtf8(name, POSTGRES_MAX_IDENTIFIER_BYTES - hash.length - 1)}_${hash}`;
}
