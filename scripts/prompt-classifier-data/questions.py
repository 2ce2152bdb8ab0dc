# The benign questions the authored*.py scripts compose attacks and benign pairs with, read from
# $PI_DATA (default /work/pi-data), written there by the extract scripts.
#   PI_QUESTIONS=xquad (default; the shipped model): xquad.jsonl in file order, English = rows
#     0-1189, German = 1310-2499, Spanish = 2620-3799 (extract.py's order), and spider_dev.jsonl;
#   PI_QUESTIONS=permissive: permissive_questions.jsonl (extract3.py: clinc, WikiSQL, Tatoeba;
#     no CC-BY-SA text) by its "lang" field, and sql_questions.jsonl.
import json, os, sys
OUT = os.environ.get("PI_DATA", "/work/pi-data")
SET = os.environ.get("PI_QUESTIONS", "xquad")
def _load(name):
    path = f"{OUT}/{name}.jsonl"
    if not os.path.exists(path):
        sys.exit(f"questions.py: {path} is missing (run the extract scripts first; PI_QUESTIONS={SET})")
    return [json.loads(l) for l in open(path, encoding="utf8")]
def pools():
    """(english, german, spanish, sql) question lists, unfiltered, in file order."""
    if SET == "xquad":
        xq = [r["text"] for r in _load("xquad")]
        return xq[:1190], xq[1310:2500], xq[2620:3800], [r["text"] for r in _load("spider_dev")]
    if SET == "permissive":
        q = [r for r in _load("permissive_questions") if r.get("kind") == "question"]
        by = lambda lang: [r["text"] for r in q if r["lang"] == lang]
        return by("en"), by("de"), by("es"), [r["text"] for r in _load("sql_questions")]
    sys.exit(f"questions.py: PI_QUESTIONS={SET!r}: expected xquad or permissive")
