#!/usr/bin/env bash
# The GPU figures of docs/training.md, in one go on a CUDA machine (each stage is the real train_cgan.py):
#   smoke     300 steps of the full preset's networks
#   full      the full preset to quality as a user runs it (fp32), with its evaluation under both judges
#   torchrun  1,000 steps under torchrun with NCCL, one process per GPU
#   bf16      1,000 steps under bf16 autocast (--amp on), for its images/s
#   compiled  1,000 steps with --amp on --compile (images/s after 20 warm-up steps leaves compilation out)
#   quick     the quick preset to quality
#   adam      1,000 steps in fp32 with Adam's fused kernel (the default on a GPU) and without: ABBA, 4 runs
#
#   bash benchmarks/bench_gpu.sh OUT_DIR [SECONDS [STAGE ...]]    # MNIST from $MNIST_DATA_DIR or --data-dir's default
#
# A stage that would run past SECONDS (default 900) is cut short or skipped; each run's training.json and
# metrics.json (steps, wall clock, images/s, every metric) and its log land in OUT_DIR. The exit status is 1 if a
# stage failed or was cut short (a cut-short run writes no record). On an H200 (docs/training.md) the full stage
# alone takes 9-10 minutes with its evaluation, the adam stage about 3, and the others together about 4: with a
# 10-minute limit per command, run `full` by itself, and if its 570 s run out, run it again with the same OUT_DIR
# to resume it.
set -u
out=${1:?usage: bench_gpu.sh OUT_DIR [SECONDS [STAGE ...]]}
budget=${2:-900}
py=${PYTHON:-python3}
device=${DEVICE:-cuda}  # DEVICE=cpu tries the script itself on a machine without a GPU
extra=${TRAIN_FLAGS:-}  # appended to every run's flags (split at spaces; the last flag wins): the tests' tiny runs
export PYTHONUNBUFFERED=1
mkdir -p "$out" && out=$(cd "$out" && pwd)  # absolute: the runs start from the repository root
cd "$(dirname "$0")/.."

all_stages="smoke full torchrun bf16 compiled quick adam"
stages=${*:3}
stages=${stages:-$all_stages}
for name in $stages; do
  [[ " $all_stages " == *" $name "* ]] || { echo "error: unknown stage '$name' (stages: $all_stages)" >&2; exit 2; }
done
[[ $device == cpu ]] && nproc=${NPROC:-1} || nproc=${NPROC:-$(nvidia-smi -L | wc -l)}
failed=""
want() { [[ " $stages " == *" $1 "* ]]; }
left() { echo $((budget - SECONDS)); }

stage() {  # stage NAME SECONDS_AT_MOST COMMAND...: run it under a time limit, log to OUT_DIR/NAME.log
  local name=$1 limit=$2; shift 2
  if (($(left) <= 0 || $(left) < limit / 3)); then echo "== $name: skipped ($(left)s left)"; return; fi
  ((limit > $(left))) && limit=$(left)
  echo "== $name (at most ${limit}s): $*"
  local t0=$SECONDS
  timeout "$limit" "$@" > "$out/$name.log" 2>&1
  local status=$?
  echo "== $name: exit $status$( ((status == 124)) && echo ' (cut short by its time limit)'), $((SECONDS - t0))s"
  ((status == 0)) || failed+=" $name"
  tail -n 25 "$out/$name.log"
}

train() {  # train NAME SECONDS_AT_MOST FLAGS...: train_cgan.py on the GPU into OUT_DIR/NAME
  local name=$1 limit=$2; shift 2
  stage "$name" "$limit" "$py" train_cgan.py --device "$device" --no-progress --out-dir "$out/$name" "$@" $extra
}

[[ $device == cpu ]] || nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
"$py" -c "import torch, torchvision, numpy, huggingface_hub as hf; print('torch', torch.__version__, torch.version.cuda,
  'torchvision', torchvision.__version__, 'numpy', numpy.__version__, 'huggingface_hub', hf.__version__)"

# (1) smoke: the full preset's networks for 300 steps
want smoke && train smoke 60 --preset full --max-steps 300 --no-eval
# (2) the full preset as a user runs it (fp32), then its evaluation under both judges; a full stage cut short
#     leaves checkpoints in OUT_DIR/full, and running the stage again with the same OUT_DIR finishes that run
if want full; then
  if [[ -e $out/full/generator/training.json ]]; then
    echo "== full: skipped: $out/full holds a finished run (its record is generator/training.json)"
  else
    resume=""
    compgen -G "$out/full/checkpoints/step_*.pt" > /dev/null && resume="--resume" && echo "== full: resuming its run"
    train full 570 --preset full $resume
  fi
fi
# (3) torchrun with NCCL (one process per GPU; this machine's GPUs)
want torchrun && stage torchrun 60 "$py" -m torch.distributed.run --standalone \
  --nproc_per_node="$nproc" train_cgan.py --device "$device" --no-progress \
  --out-dir "$out/torchrun" --preset full --max-steps 1000 --no-eval $extra
# (4) throughput under bf16 autocast, eager and with torch.compile (images/s after 20 warm-up steps leaves
#     compilation out)
want bf16 && train bf16 60 --preset full --max-steps 1000 --no-eval --amp on
want compiled && train compiled 120 --preset full --max-steps 1000 --no-eval --amp on --compile
# (5) the quick preset to quality
want quick && train quick 150 --preset quick
# (6) A/B of Adam's fused kernel (one launch for all of a network's parameters) against the multi-tensor one,
#     on one machine, alternated: the rate varies from run to run there, and between machines more (docs/training.md)
unfused='import runpy, sys, torch
class Adam(torch.optim.Adam):  # train_cgan.py with fused=False, whatever the device
    def __init__(self, *args, **kwargs):
        print("Adam: fused=%s asked, False used" % kwargs.get("fused"), flush=True)
        super().__init__(*args, **(kwargs | {"fused": False}))
torch.optim.Adam = Adam
sys.argv = ["train_cgan.py", *sys.argv[1:]]
runpy.run_path("train_cgan.py", run_name="__main__")'
if want adam; then
  rm -rf "$out"/adam_*  # this call's runs only
  for run in fused_1 unfused_1 unfused_2 fused_2; do  # ABBA: a drift over time favours neither
    if [[ $run == fused_* ]]; then
      train "adam_$run" 90 --preset full --max-steps 1000 --no-eval
    else
      stage "adam_$run" 90 "$py" -c "$unfused" --device "$device" --no-progress \
        --out-dir "$out/adam_$run" --preset full --max-steps 1000 --no-eval $extra
    fi
  done
  for run in "$out"/adam_*/generator/training.json; do  # images/s, run by run
    [[ -e $run ]] || continue
    "$py" -c "import json, sys; d = json.load(open(sys.argv[1]))
print(sys.argv[1].split('/')[-3], d['images_per_second'], 'images/s;', d['images_per_second_after_warmup'], 'after warm-up')" "$run"
  done
fi
echo "== done in ${SECONDS}s${failed:+; failed or cut short:$failed}"
[[ -z $failed ]]
