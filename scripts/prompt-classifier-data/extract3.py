# Benign questions under permissive licences, in place of xquad and spider (CC-BY-SA-4.0):
#   permissive_questions.jsonl (source permissive_questions; rows carry "lang" and "kind"):
#     English: clinc/oos-eval user queries (CC-BY-3.0) and WikiSQL questions (BSD-3-Clause, via
#     jkkummerfeld/text2sql-data); German, Spanish and nine more languages: Tatoeba sentences
#     (CC-BY-2.0-FR, via facebookresearch/LASER's test set); "paragraph" rows are five
#     consecutive Tatoeba sentences (xquad contributed Wikipedia paragraphs);
#   sql_questions.jsonl (source sql_questions): advising questions (CC-BY-4.0, text2sql-data),
#     defog-ai/sql-eval questions (Apache-2.0) and more WikiSQL questions.
# Same sizes as the rows they replace, as near as the sources allow. Seeded: the same mirrors
# give the same files. Run after extract.py (adds to $PI_DATA/sources.json). Label 0.
import bz2, csv, io, json, os, random, re, subprocess, sys
M = os.environ.get("PI_MIRROR", "/work/.mirror")
OUT = os.environ.get("PI_DATA", "/work/pi-data")
PINS = {
    "clinc+oos-eval": "828f8093932c8fe6ca7936c3d2e52903b1c523de",
    "jkkummerfeld+text2sql-data": "5050bad2309a93636ea4788d3660c9202bf11e0e",
    "facebookresearch+LASER": "74bc6ae7ffb7cba670fe0f428d0ede9f666fb821",
    "defog-ai+sql-eval": "b83332416ea2d424b0cd12994a0a9ba100f4b4af",
}
def blob(repo, path):
    g = f"{M}/{repo}/repo"
    if not os.path.isdir(g):
        sys.exit(f"{__file__}: no mirror of {repo.replace('+', '/')} at {g} (fetch github:{repo.replace('+', '/')})")
    r = subprocess.run(["git", f"--git-dir={g}", "cat-file", "blob", f"{PINS[repo]}:{path}"], capture_output=True)
    if r.returncode:
        sys.exit(f"{__file__}: {repo.replace('+', '/')}@{PINS[repo]}:{path}: {r.stderr.decode().strip()}")
    return r.stdout
rnd = random.Random(20261126)
def sample(xs, n):
    xs = sorted(set(xs))
    return rnd.sample(xs, min(n, len(xs)))
def t2s(entries):
    """text2sql-data sentences with their variables filled in (the files anonymise literals)."""
    out = []
    for e in entries:
        for s in e["sentences"]:
            t = s["text"]
            for k, v in s["variables"].items():
                t = re.sub(rf"\b{re.escape(k)}\b", lambda _: v or k, t)
            if any(not v and re.search(rf"\b{re.escape(k)}\b", t) for k, v in s["variables"].items()): continue  # a literal without a value
            out.append(re.sub(r"\s+([?.,!])", r"\1", t).strip())
    return out
clinc = json.loads(blob("clinc+oos-eval", "data/data_full.json"))
clinc_q = [t for split in sorted(clinc) for t, _ in clinc[split]]
wikisql = t2s(json.loads(bz2.decompress(blob("jkkummerfeld+text2sql-data", "data/wikisql.json.bz2"))))
advising = t2s(json.loads(blob("jkkummerfeld+text2sql-data", "data/advising.json")))
defog = []
for f in ["questions_gen_postgres", "instruct_basic_postgres", "instruct_advanced_postgres", "idk"]:
    defog += [r["question"] for r in csv.DictReader(io.StringIO(blob("defog-ai+sql-eval", f"data/{f}.csv").decode("utf8")))]
def tatoeba(lang):
    return [l.strip() for l in blob("facebookresearch+LASER", f"data/tatoeba/v1/tatoeba.{lang}-eng.{lang}").decode("utf8").split("\n") if l.strip()]
rows = []
ws = sample(wikisql, 900)
for t in sample(clinc_q, 700) + ws[:490]:
    rows.append({"text": t, "lang": "en", "kind": "question"})
LANGS = {"deu": "de", "spa": "es", "rus": "ru", "tur": "tr", "ron": "ro", "vie": "vi", "cmn": "zh", "ara": "ar", "ell": "el", "hin": "hi", "tha": "th"}
for code, lang in LANGS.items():
    s = tatoeba(code)
    rnd.shuffle(s)
    nq = 850 if lang in ("de", "es") else 150
    rows += [{"text": t, "lang": lang, "kind": "question"} for t in s[:nq]]
    rest = s[nq:]
    npar = 30 if lang in ("de", "es") else 20
    rows += [{"text": " ".join(rest[i:i + 5]), "lang": lang, "kind": "paragraph"} for i in range(0, min(len(rest), 5 * npar), 5)]
en_par = []
for code in ["deu", "spa", "fra", "ita"]:  # English sides of other pairs: sentences not used above
    en_par += [l.strip() for l in blob("facebookresearch+LASER", f"data/tatoeba/v1/tatoeba.{code}-eng.eng").decode("utf8").split("\n") if l.strip()]
en_par = sample(en_par, 600)
rows += [{"text": " ".join(en_par[i:i + 5]), "lang": "en", "kind": "paragraph"} for i in range(0, 600, 5)]
sql = sample(advising, 400) + sample(defog, 250) + ws[490:]
sql = sorted(set(sql), key=sql.index)[:1034]
meta = json.load(open(f"{OUT}/sources.json"))
def write(name, rows, repo, lic, paths):
    seen, kept = set(), []
    for r in rows:
        if len(r["text"]) >= 8 and r["text"] not in seen:
            seen.add(r["text"]); kept.append(r)
    with open(f"{OUT}/{name}.jsonl", "w") as f:
        for r in kept: f.write(json.dumps({"text": r["text"], "label": 0, "source": name, **{k: v for k, v in r.items() if k != "text"}}, ensure_ascii=False) + "\n")
    meta[name] = {"repo": repo, "commit": ", ".join(f"{k.replace('+', '/')}@{v}" for k, v in PINS.items() if k.replace("+", "/") in repo), "license": lic, "paths": paths, "rows": len(kept)}
    print(name, len(kept), file=sys.stderr)
write("permissive_questions", rows, "clinc/oos-eval, jkkummerfeld/text2sql-data, facebookresearch/LASER", "CC-BY-3.0 (clinc), BSD-3-Clause (WikiSQL), CC-BY-2.0-FR (Tatoeba)",
      ["data/data_full.json (clinc queries)", "data/wikisql.json.bz2 (questions, literals filled in)", "data/tatoeba/v1/tatoeba.*-eng.* (sentences; 5-sentence paragraphs)"])
write("sql_questions", [{"text": t} for t in sql], "jkkummerfeld/text2sql-data, defog-ai/sql-eval", "CC-BY-4.0 (advising), BSD-3-Clause (WikiSQL), Apache-2.0 (sql-eval)",
      ["data/advising.json, data/wikisql.json.bz2 (questions, literals filled in)", "data/questions_gen_postgres.csv, instruct_*_postgres.csv, idk.csv (question column)"])
json.dump(meta, open(f"{OUT}/sources.json", "w"), indent=1)
