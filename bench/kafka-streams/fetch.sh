#!/usr/bin/env bash
# Fetches and compiles the Kafka Streams peer of the e2e bench (bench/kafka-streams/), then
# prints one stdout line: its Java class path. Run by `npm run bench:e2e -- --kafka-streams`;
# CI never runs it (benches are not tests), so it costs `bash .ci/run` nothing.
#
#   1. jars: `mvn dependency:copy-dependencies` of pom.xml (kafka-streams and jackson at the
#      broker's Kafka version) into KAFKA_STREAMS_LIB, once; a marker holds the pom's sha256, so
#      a changed pom is fetched again and an unchanged one never reaches the network.
#   2. classes: plain javac of src/main/java into <lib>/../streams-classes when the source changed
#      (about 2 s; no compiler plugin to download, works offline once the jars are there).
#
# Environment:
#   KAFKA_STREAMS_LIB  jar cache directory (default <repo>/.kafka/streams-lib)
#   JAVA_HOME          a JDK 17+ (otherwise javac and java on PATH)
# Diagnostics go to stderr.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$HERE/../.." && pwd)"
POM="$HERE/pom.xml"
LIB_DIR="${KAFKA_STREAMS_LIB:-$REPO_ROOT/.kafka/streams-lib}"
CLASSES_DIR="$(dirname "$LIB_DIR")/streams-classes"

log() { printf 'kafka-streams/fetch.sh: %s\n' "$*" >&2; }
die() {
  printf 'kafka-streams/fetch.sh: error: %s\n' "$*" >&2
  exit 1
}
sha256_of() { cat "$@" | sha256sum | cut -d' ' -f1; }

javac_bin="javac"
[[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/javac" ]] && javac_bin="$JAVA_HOME/bin/javac"
command -v "$javac_bin" >/dev/null 2>&1 ||
  die "javac not found: a JDK 17+ is needed (e.g. 'apt-get install openjdk-17-jdk-headless'), or set JAVA_HOME"

jars_marker="pom.sha256=$(sha256_of "$POM")"
if [[ "$(cat "$LIB_DIR/.complete" 2>/dev/null || true)" != "$jars_marker" ]]; then
  command -v mvn >/dev/null 2>&1 ||
    die "Maven (mvn) not found; it is needed once to copy kafka-streams and its dependencies from Maven Central into $LIB_DIR"
  tmp="$LIB_DIR.tmp.$$"
  rm -rf "$tmp"
  mkdir -p "$(dirname "$LIB_DIR")"
  log "fetching kafka-streams jars from Maven Central into $LIB_DIR ..."
  if ! out=$(mvn -B -q -ntp -Dstyle.color=never -f "$POM" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$tmp" 2>&1); then
    rm -rf "$tmp"
    printf '%s\n' "$out" | tail -n 40 >&2
    die "mvn could not fetch the jars of $POM (output above)"
  fi
  compgen -G "$tmp/kafka-streams-*.jar" >/dev/null || die "mvn finished but copied no kafka-streams jar"
  printf '%s\n' "$jars_marker" >"$tmp/.complete"
  rm -rf "$LIB_DIR"
  mv "$tmp" "$LIB_DIR"
fi

mapfile -t sources < <(find "$HERE/src/main/java" -name '*.java' | sort)
classes_marker="sources.sha256=$(sha256_of "${sources[@]}") $jars_marker"
if [[ "$(cat "$CLASSES_DIR/.complete" 2>/dev/null || true)" != "$classes_marker" ]]; then
  rm -rf "$CLASSES_DIR"
  mkdir -p "$CLASSES_DIR"
  log "compiling ${#sources[@]} source file(s) into $CLASSES_DIR"
  "$javac_bin" --release 17 -nowarn -cp "$LIB_DIR/*" -d "$CLASSES_DIR" "${sources[@]}" >&2 ||
    die "javac failed (output above)"
  printf '%s\n' "$classes_marker" >"$CLASSES_DIR/.complete"
fi

printf '%s:%s/*\n' "$CLASSES_DIR" "$LIB_DIR"
