#!/usr/bin/env bash
# The fault harness (bench/faults/README.md): two replicas of the real jar behind real nginx, the stand-in IdP and
# API server behind fault-injecting fronts, in redis mode a Redis master, replica and three Sentinels, 200 signed-in
# users calling all along; cookie mode then redis mode; writes RELIABILITY.md.
# `--short` runs every fault a few seconds and writes target/faults-short/RELIABILITY.md instead. Other options go to
# the harness (bench/faults/README.md lists them). Installs nginx and Redis from Debian's packages if missing; loopback only.
set -euo pipefail
cd "$(dirname "$0")/../.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
if ! { command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; } || [ ! -e /usr/lib/nginx/modules/ngx_http_set_misc_module.so ] \
    || ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-sentinel >/dev/null 2>&1; then
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx libnginx-mod-http-set-misc \
    redis-server redis-sentinel
fi

mvn -B -q -ntp -DskipTests package
mvn -B -q -ntp dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt

# nginx lives in /usr/sbin, which a non-root PATH may lack.
PATH="$PATH:/usr/sbin" exec java -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" \
  io.github.aksauthproxy.bench.FaultRun --command "bench/faults/run.sh${*:+ $*}" "$@"
