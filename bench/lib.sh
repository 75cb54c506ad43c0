# Shared by bench/run-*.sh: build the modules once (no install into ~/.m2) and run a bench class.
bench_build() {
  mvn -B -q -DskipTests -Dspotless.check.skip=true -pl bench -am package \
    dependency:build-classpath -Dmdep.outputFile=target/bench.classpath >/dev/null
}
bench_java() {
  local main=$1; shift
  java ${BENCH_JAVA_OPTS:-} -Dlogback.configurationFile=bench/src/main/resources/logback.xml -cp "bench/target/classes:$(cat bench/target/bench.classpath)" "$main" "$@"
}
