#!/usr/bin/env bash
# The WebFlux example under load (io.keyscan.bench.WebFluxLoad, see benchmarks/README.md): compiles
# examples/webflux and benchmarks (and what they need, nothing installed), then starts the load test with the
# example's classpath. Options go to WebFluxLoad: benchmarks/webflux-load.sh --help
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
./mvnw -q -B -pl examples/webflux,benchmarks -am compile dependency:build-classpath \
    -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime
app_cp="$root/examples/webflux/target/classes:$(cat examples/webflux/target/classpath.txt)"
bench_cp="$root/benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)"
exec java -Xmx2g -Dkeyscan.benchmarks.dir="$root/benchmarks" -cp "$bench_cp" io.keyscan.bench.WebFluxLoad \
    --app-classpath "$app_cp" "$@"
