#!/bin/sh
# batch_offline end to end on the tiny model: every input in the output
# exactly once or in the errors list; an interrupted run (output cut in the
# middle of a line) resumes without duplicates or losses.
#   sample_batch_offline.sh MODELGEN IMG2BIN BATCH_OFFLINE WORKDIR
set -eu
gen=$1 img=$2 run=$3 dir=$4
rm -rf "$dir" && mkdir -p "$dir/in"
# The generator keeps its memory to the end (leak checks off for it).
ASAN_OPTIONS=detect_leaks=0 "$gen" tiny --fp16-input -o "$dir/tiny.om" >/dev/null 2>&1
"$img" --synthetic 11 --size 32 -o "$dir/in" >/dev/null
printf 'not an image' >"$dir/in/zz_bad.bin"
check() {
  ok=$(grep -c '"top"' "$dir/out.jsonl" || true)
  uniq=$(grep -o '"file": "[^"]*"' "$dir/out.jsonl" | sort -u | wc -l)
  errs=$(grep -c '"error"' "$dir/out.jsonl.errors" || true)
  echo "lines $ok unique $uniq errors $errs"
  [ "$ok" -eq 11 ] && [ "$uniq" -eq 11 ] && [ "$errs" -eq 1 ]
}
"$run" --model "$dir/tiny.om" --input "$dir/in" --output "$dir/out.jsonl" --streams 2 --interval 3 --pool 4 --topk 3
check
grep -q '"file": "zz_bad.bin", "error": "12 bytes; the model' "$dir/out.jsonl.errors"
# Interrupted: keep 4 results and half of the fifth line.
head -n 4 "$dir/out.jsonl" >"$dir/cut" && sed -n 5p "$dir/out.jsonl" | cut -c1-20 | tr -d '\n' >>"$dir/cut"
mv "$dir/cut" "$dir/out.jsonl"
"$run" --model "$dir/tiny.om" --input "$dir/in" --output "$dir/out.jsonl" --streams 3 --interval 2 | tee "$dir/log"
grep -q "4 skipped as already done" "$dir/log"
check
echo "batch_offline: resume checked"
