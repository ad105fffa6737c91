#!/usr/bin/env bash
# The whole test suite, in stages, each timed. Run through `./portal test`,
# which has already put Node.js 22+ and Yarn 4 on PATH and installed dependencies.
#
# Options:
#   --skip STAGE[,STAGE]   leave out stages (e.g. --skip build,browser while iterating)
#   --only STAGE[,STAGE]   run only these stages
set -euo pipefail
cd "${GUARDRAILS_ROOT:?run through ./portal test}"

ALL_STAGES=(tsc lint prettier config unit build browser process bench)
skip=","
only=","
while [ $# -gt 0 ]; do
  case "$1" in
    --skip) skip=",$2,"; shift 2 ;;
    --only) only=",$2,"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

wanted() {
  local stage="$1"
  if [ "$only" != "," ]; then [[ "$only" == *",$stage,"* ]]; return; fi
  [[ "$skip" != *",$stage,"* ]]
}

# Tests never start Docker: PostgreSQL is used where a server is reachable.
export BACKSTAGE_TEST_DISABLE_DOCKER=1
if [ -z "${BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING:-}" ]; then
  if node -e '
    const s = require("net").connect(5432, "127.0.0.1");
    s.setTimeout(1500);
    s.on("connect", () => { s.end(); process.exit(0); });
    s.on("error", () => process.exit(1));
    s.on("timeout", () => process.exit(1));
  ' 2>/dev/null; then
    export BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING="postgresql://postgres@127.0.0.1:5432"
  fi
fi
if [ -n "${BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING:-}" ]; then
  echo "[test] databases: SQLite and PostgreSQL (${BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING%%@*}@…)"
else
  echo "[test] databases: SQLite only (no PostgreSQL on 127.0.0.1:5432; set BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING to add one)"
fi

stage_tsc() { yarn tsc; }
stage_lint() { yarn lint:all; }
stage_prettier() { yarn prettier:check; }
stage_config() { yarn config:check; }
stage_unit() { CI=true yarn backstage-cli repo test --maxWorkers=2; }
stage_build() { yarn build:all; }
stage_browser() { yarn test:browser; }
# Real backend processes: SIGKILL and restart, two replicas on PostgreSQL, PostgreSQL restarted under load.
stage_process() { yarn test:process; }
# The benchmarks' smoke run (N = 1,000): keeps them working; figures are not asserted.
stage_bench() { yarn bench --quick --out bench/out/results.quick.json; }

declare -a report=()
total_start=$SECONDS
for stage in "${ALL_STAGES[@]}"; do
  wanted "$stage" || continue
  echo
  echo "=== [test] stage: $stage"
  start=$SECONDS
  if "stage_$stage"; then
    report+=("$(printf '%-10s %5ss  ok' "$stage" $((SECONDS - start)))")
  else
    report+=("$(printf '%-10s %5ss  FAILED' "$stage" $((SECONDS - start)))")
    echo
    echo "=== [test] stage times"
    printf '%s\n' "${report[@]}"
    echo "=== [test] FAILED in stage '$stage'"
    exit 1
  fi
done
echo
echo "=== [test] stage times"
printf '%s\n' "${report[@]}"
printf 'total      %5ss\n' $((SECONDS - total_start))
echo "=== [test] all stages passed"
