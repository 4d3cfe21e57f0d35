#!/usr/bin/env bash
# Reproduce Tables 1 and 2 of the paper on CPU: two queues side by side, 1 torch thread each.
#   bash examples/fae/reproduce.sh            # runs both queues in the background
#   EPOCHS=40 STEPS_REV=4000 K=5000 NTEST=10000 bash examples/fae/reproduce.sh
# Logs: runs/queue{1,2}.log; results: runs/<name>/eval_k<K>.json; collect with
#   python -m examples.fae.collect
set -euo pipefail
EPOCHS=${EPOCHS:-20}
STEPS_REV=${STEPS_REV:-1500}
K=${K:-1000}
NTEST=${NTEST:-2000}
NTRAIN=${NTRAIN:-500}
NTEST_REV=${NTEST_REV:-1000}
K_REV=${K_REV:-500}
COMMON="--threads 1 --no-progress --seed 0"
T1="--dataset mnist --epochs $EPOCHS --eval-k $K --eval-n-test $NTEST --eval-n-train $NTRAIN $COMMON"
T2="--dataset reversed-mnist --epochs 100000 --max-steps $STEPS_REV --encodings-every 25 --eval-k $K_REV --eval-n-test $NTEST_REV --eval-n-train 500 $COMMON"
run() { nice -n 5 python -m examples.fae.train "$@"; }
mkdir -p runs
queue1() {
  run --model vae --run-dir runs/t1_vae $T1
  run --model fae --f-z 20 --fisher-scale trace --run-dir runs/t1_fae_f20_trace $T1
  run --model mae --m 10 --run-dir runs/t1_mae_m10 $T1
  for f in 20 5; do
    run --model fae --f-z $f --fisher-scale per-dim --run-dir runs/t2_fae_f${f}_perdim $T2
  done
}
queue2() {
  run --model fae --f-z 20 --fisher-scale per-dim --run-dir runs/t1_fae_f20_perdim $T1
  run --model fae --f-z 0 --fisher-scale trace --run-dir runs/t1_fae_f0 $T1
  run --model mae --m 0 --run-dir runs/t1_mae_m0 $T1
  for f in 10 0.1; do
    run --model fae --f-z $f --fisher-scale per-dim --run-dir runs/t2_fae_f${f}_perdim $T2
  done
}
queue3() {  # optional: Table 2 with F on the trace
  for f in 20 10 5 0.1; do
    run --model fae --f-z $f --fisher-scale trace --run-dir runs/t2_fae_f${f}_trace $T2
  done
}
extend() {  # optional: continue a Table 1 run to 2*EPOCHS in a copy runs/t1x_<name>
  local name=$1; shift
  [[ -d runs/t1x_$name ]] || cp -r runs/t1_$name runs/t1x_$name
  rm -f runs/t1x_$name/eval_k*.json
  run "$@" --run-dir runs/t1x_$name ${T1/--epochs $EPOCHS/--epochs $((2 * EPOCHS))}
}
queue4() { extend vae --model vae; }
queue5() { extend fae_f20_perdim --model fae --f-z 20 --fisher-scale per-dim; }
long() {  # optional: continue a runs/t1x_<name> copy to LONG_EPOCHS, one IWAE run at K_LONG
  local name=$1; shift
  [[ -d runs/t1y_$name ]] || cp -r runs/t1x_$name runs/t1y_$name
  rm -f runs/t1y_$name/eval_k*.json runs/t1y_$name/nll_*.npy
  run "$@" --run-dir runs/t1y_$name ${T1/--epochs $EPOCHS/--epochs ${LONG_EPOCHS:-150}} \
    --eval-k ${K_LONG:-5000}
}
queue8() { long vae --model vae; }
queue9() { long fae_f20_perdim --model fae --f-z 20 --fisher-scale per-dim; }
queue6() { run --model fae --f-z 100 --fisher-scale per-dim --run-dir runs/t1_fae_f100_perdim $T1; }
queue7() { run --model fae --f-z 20 --lambda-z 0.01 --run-dir runs/t1_fae_f20_trace_l0.01 $T1; }
if [[ "${1:-}" == "queue8" ]]; then queue8; exit; fi
if [[ "${1:-}" == "queue9" ]]; then queue9; exit; fi
if [[ "${1:-}" == "queue6" ]]; then queue6; exit; fi
if [[ "${1:-}" == "queue7" ]]; then queue7; exit; fi
if [[ "${1:-}" == "queue4" ]]; then queue4; exit; fi
if [[ "${1:-}" == "queue5" ]]; then queue5; exit; fi
if [[ "${1:-}" == "queue1" ]]; then queue1; exit; fi
if [[ "${1:-}" == "queue2" ]]; then queue2; exit; fi
if [[ "${1:-}" == "queue3" ]]; then queue3; exit; fi
nohup bash "$0" queue1 > runs/queue1.log 2>&1 &
echo "queue1 pid $!"
nohup bash "$0" queue2 > runs/queue2.log 2>&1 &
echo "queue2 pid $!"
