#!/usr/bin/env bash
# Reproduce Tables 1 and 2 of the paper on CPU: two queues side by side, 1 torch thread each.
#   bash examples/fae/reproduce.sh            # runs both queues in the background
#   EPOCHS=40 STEPS_REV=4000 K=5000 NTEST=10000 bash examples/fae/reproduce.sh
#   bash examples/fae/reproduce.sh queue10    # one optional queue, in the foreground
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
fulltest() {  # K_FULL importance samples on all 10 000 test images, into runs/<name>/fulltest
  [[ -f runs/$1/fulltest/eval_k${K_FULL:-5000}.json ]] && return
  nice -n 5 python -m examples.fae.evaluate runs/$1 --k ${K_FULL:-5000} --seed 0 --threads 1 \
    --no-progress --out-dir runs/$1/fulltest
}
seedrun() {  # an independent seed of a Table 1 model: SEED_EPOCHS epochs, then fulltest
  local name=s${SEED}_$1; shift
  run "$@" --run-dir runs/$name --dataset mnist --epochs ${SEED_EPOCHS:-100} --eval-k 0 \
    --threads 1 --no-progress --seed $SEED
  fulltest $name
}
fig2run() {  # the paper's Fig. 2 setting: latent 10, F from 0 to 20 (per dimension)
  run --model fae --f-z $1 --fisher-scale per-dim --latent 10 --dataset mnist \
    --epochs ${FIG2_EPOCHS:-20} --eval-k 0 --encodings-every 1000 $COMMON \
    --run-dir runs/f2_d10_f$1
}
fae20() { seedrun fae_f20_perdim --model fae --f-z 20 --fisher-scale per-dim; }
queue10() { fulltest t1y_vae; SEED=1 seedrun vae --model vae; fig2run 0; fig2run 2;
  SEED=2 seedrun vae --model vae; }
queue11() { fulltest t1y_fae_f20_perdim; SEED=1 fae20; fig2run 5; fig2run 20; SEED=2 fae20; }
warmrun() {  # KL warm-up over WARMUP epochs (linear, Sønderby et al. 2016); SEED (default 0)
  local seed=${SEED:-0} name=w${WARMUP:-10}
  [[ $seed == 0 ]] || name+=s$seed
  name+=_$1; shift
  run "$@" --run-dir runs/$name --dataset mnist --epochs ${WARM_EPOCHS:-100} --eval-k 0 \
    --kl-warmup ${WARMUP:-10} $COMMON --seed $seed
  fulltest $name
}
queue12() { warmrun vae --model vae; }
queue13() { warmrun fae_f20_perdim --model fae --f-z 20 --fisher-scale per-dim; }
# more seeds of the warm-up pair: SEED=1 bash examples/fae/reproduce.sh queue12 (and queue13)
if [[ -n "${1:-}" ]]; then "$1"; exit; fi
nohup bash "$0" queue1 > runs/queue1.log 2>&1 &
echo "queue1 pid $!"
nohup bash "$0" queue2 > runs/queue2.log 2>&1 &
echo "queue2 pid $!"
