#!/usr/bin/env bash
# Runs every benchmark (bench/README.md) and writes BENCHMARKS.md; `--smoke` runs each for about a second and
# writes target/bench-smoke/BENCHMARKS.md instead. Other options go to the rig (bench/README.md lists them).
# Installs wrk, nginx and redis-server from Debian's packages if they are missing, builds the jar, runs on loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
if [ "${#missing[@]}" -gt 0 ]; then
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

mvn -B -q -ntp -DskipTests package
mvn -B -q -ntp dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt

# nginx lives in /usr/sbin, which a non-root PATH may lack.
PATH="$PATH:/usr/sbin" exec java -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" \
  io.github.aksauthproxy.bench.BenchRun --command "bench/run.sh${*:+ $*}" "$@"
