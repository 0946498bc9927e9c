#!/bin/bash
# bench_dask.sh: ResNet-50 over 192 synthetic inputs, three ways in one run, three rounds:
# samples/batch_offline (C, 2 streams), hacl-batch --local 0 (one process, 2 compute threads) and
# hacl-batch --local 2 (a LocalCluster of 2 processes x 1 core). Make the model and inputs first:
#   build/tools/hacl-modelgen resnet50 --fp16-input -o /tmp/rb/resnet50.om
#   build/tools/hacl-img2bin --synthetic 192 -o /tmp/rb/in
# hacl-batch prints JSON; its images/s excludes worker set-up (seconds_with_setup includes it).
# one run: batch_offline, hacl-batch --local 0, hacl-batch --local 2, alternating order per round
cd "$(dirname "$0")/.."
export PYTHONPATH=build/python
for r in 1 2 3; do
  for mode in c local0 local2; do
    case $mode in
      c) rm -f /tmp/rb/c.jsonl*; build/samples/batch_offline --model /tmp/rb/resnet50.om --input /tmp/rb/in --output /tmp/rb/c.jsonl --streams 2 --interval 4 2>/dev/null | tail -1 | sed "s/^/round $r c: /";;
      local0) /usr/bin/python3 tools/hacl-batch --model /tmp/rb/resnet50.om --input /tmp/rb/in --output /tmp/rb/l0.jsonl --local 0 --depth 4 2>/dev/null | sed "s/^/round $r local0: /";;
      local2) /usr/bin/python3 tools/hacl-batch --model /tmp/rb/resnet50.om --input /tmp/rb/in --output /tmp/rb/l2.jsonl --local 2 --depth 4 --partition 8 2>/dev/null | sed "s/^/round $r local2: /";;
    esac
  done
done
