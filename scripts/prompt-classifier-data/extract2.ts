// Benign hard negatives: comments/string literals of public SQL (parts exactly as
// inspectSqlForPrompt sees them) and prose sentences from public docs, favouring sentences
// with words injection rules key on (ignore, forget, instructions, override, ...).
// Reads each repository at the commit pinned in PINS (the shipped model's), not at the mirror's
// HEAD; writes $PI_DATA (default /work/pi-data) and adds to its sources.json (run extract.py first).
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { sqlTextParts } from "../../server/guardian/detect/sql-prompt.ts";
const M = process.env.PI_MIRROR ?? "/work/.mirror";
const OUT = process.env.PI_DATA ?? "/work/pi-data";
const PINS: Record<string, string> = {
  "BrentOzarULTD+SQL-Server-First-Responder-Kit": "d8c4d56f9a2178df108dc1c6fe20dae518ed08b1",
  "sqlfluff+sqlfluff": "e8e8c5d24dee8371acb94177fd8a7a86a783151c",
  "dbt-labs+dbt-core": "43aa6e8a621e703984cfcb84259a81be32518878",
  "rust-lang+book": "917544888a55e4da7109bdba8c88c893c0da70f4",
};
const git = (repo: string, ...a: string[]) => execFileSync("git", [`--git-dir=${M}/${repo}/repo`, ...a], { maxBuffer: 1 << 28 }).toString("utf8");
const checked = new Set<string>();
function rev(repo: string): string {
  const pin = PINS[repo];
  if (pin && checked.has(repo)) return pin;
  if (!pin) throw new Error(`extract2.ts: no pinned commit for ${repo}`);
  if (!existsSync(`${M}/${repo}/repo`)) throw new Error(`extract2.ts: no mirror of ${repo.replace("+", "/")} at ${M}/${repo}/repo (fetch github:${repo.replace("+", "/")})`);
  try {
    git(repo, "cat-file", "-e", `${pin}^{commit}`);
  } catch {
    throw new Error(`extract2.ts: ${repo.replace("+", "/")} has no commit ${pin} (the mirror's snapshot predates it or was rewritten)`);
  }
  checked.add(repo);
  return pin;
}
const files = (repo: string, re: RegExp) => git(repo, "ls-tree", "-r", "--name-only", rev(repo)).split("\n").filter((f) => re.test(f));
const blob = (repo: string, f: string) => git(repo, "cat-file", "blob", `${rev(repo)}:${f}`);
let seed = 99;
const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
const TRIG = /\b(ignor\w*|forget\w*|disregard\w*|bypass\w*|overrid\w*|instruction\w*|pretend\w*|act as|role|jailbreak\w*|previous|prompt\w*|rules?|restrict\w*|developer mode|from now on|you are|reveal\w*|password\w*|secret\w*|hack\w*|drop\w*|delete|skip\w*|stop|new task|system|admin\w*|execute|command\w*|say|print|output)\b/i;
const meta: Record<string, unknown> = JSON.parse(readFileSync(`${OUT}/sources.json`, "utf8"));
function out(name: string, repo: string, lic: string, texts: string[], paths: string[]) {
  const uniq = [...new Set(texts.map((t) => t.trim()).filter((t) => t.length >= 8))];
  writeFileSync(`${OUT}/${name}.jsonl`, uniq.map((t) => JSON.stringify({ text: t, label: 0, source: name })).join("\n") + "\n");
  meta[name] = { repo: repo.replace("+", "/"), commit: rev(repo), license: lic, paths, rows: uniq.length };
  console.error(name, uniq.length);
}
function sqlParts(repo: string, fs: string[], cap: number): string[] {
  const t: string[] = [];
  for (const f of fs) {
    let s = blob(repo, f);
    if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
    for (const p of sqlTextParts(s)) if (p.text.trim().length >= (p.kind === "string" ? 20 : 8)) t.push(p.text);
  }
  const u = [...new Set(t)];
  return u.filter(() => rand() < cap / u.length);
}
function sentences(md: string): string[] {
  const clean = md.replace(/```[\s\S]*?```/g, " ").replace(/<[^>]+>/g, " ").replace(/\[([^\]]*)\]\([^)]*\)/g, "$1").replace(/[#*`>|]/g, " ");
  return clean.split(/(?<=[.!?])\s+|\n\s*\n/).map((x) => x.replace(/\s+/g, " ").trim()).filter((x) => x.length >= 20 && x.length <= 500 && /[a-z]{3}/i.test(x));
}
function prose(repo: string, fs: string[], capTrig: number, capOther: number): string[] {
  const all = fs.flatMap((f) => sentences(blob(repo, f)));
  const trig = [...new Set(all.filter((s) => TRIG.test(s)))];
  const other = [...new Set(all.filter((s) => !TRIG.test(s)))];
  const pick = (xs: string[], n: number) => xs.filter(() => rand() < n / Math.max(xs.length, 1));
  const a = pick(trig, capTrig);
  // pairs of consecutive trigger sentences (longer benign texts)
  const pairs: string[] = [];
  for (let i = 0; i + 1 < a.length; i += 5) pairs.push(`${a[i]} ${a[i + 1]}`);
  return [...a, ...pairs, ...pick(other, capOther)];
}
const FRK = "BrentOzarULTD+SQL-Server-First-Responder-Kit";
out("frk_sql", FRK, "MIT", sqlParts(FRK, files(FRK, /^(sp_|Deprecated\/|OptionalScripts\/).*\.sql$/i), 2500), ["sp_*.sql, Deprecated/*.sql, OptionalScripts/*.sql: comments and string literals"]);
out("frk_docs", FRK, "MIT", prose(FRK, files(FRK, /\.md$/i), 600, 150), ["*.md sentences"]);
const SF = "sqlfluff+sqlfluff";
out("sqlfluff_sql", SF, "MIT", sqlParts(SF, files(SF, /^test\/fixtures\/.*\.sql$/), 1200), ["test/fixtures/**/*.sql: comments and string literals"]);
out("sqlfluff_docs", SF, "MIT", prose(SF, files(SF, /^docs\/.*\.(rst|md)$/), 700, 150), ["docs/**/*.rst|md sentences"]);
const DBT = "dbt-labs+dbt-core";
out("dbt_core_text", DBT, "Apache-2.0", prose(DBT, files(DBT, /(\.md$|^\.changes\/.*\.yaml$)/), 900, 200), ["*.md and .changes/**/*.yaml sentences"]);
const RB = "rust-lang+book";
out("rust_book", RB, "MIT OR Apache-2.0", prose(RB, files(RB, /^src\/.*\.md$/), 900, 200), ["src/*.md sentences"]);
writeFileSync(`${OUT}/sources.json`, JSON.stringify(meta, null, 1));
