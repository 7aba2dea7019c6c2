#!/usr/bin/env bash
# Single-node Apache Kafka broker (KRaft, combined broker+controller) for tests and local runs.
# Jars come from Maven Central through Maven (scripts/kafka/pom.xml); no Docker, no tarball.
#
#   broker.sh fetch                           copy the broker jars into the cache (no-op when complete)
#   broker.sh start [--port N] [--dir D] [--owner-pid PID] [--secure]
#                                             start (formats storage on first use of D); prints
#                                             exactly one stdout line: KAFKA_BROKERS=127.0.0.1:N
#                                             --secure adds a SASL_SSL listener (PLAIN and SCRAM-SHA-512,
#                                             as Confluent Cloud and MSK SCRAM) and an mTLS listener (as
#                                             MSK mTLS), with a CA, certificates and users made here, and
#                                             prints three more lines: KAFKA_SASL_SSL_BROKERS=127.0.0.1:S,
#                                             KAFKA_MTLS_BROKERS=127.0.0.1:M, KAFKA_SECURE_DIR=<dir>/secure
#                                             (CA, client certificate, secrets, env files; no secret is printed)
#   broker.sh stop [--dir D]                  SIGTERM, wait, SIGKILL; removes D/broker.pid
#   broker.sh status [--dir D]                exit 0 and print the address when running, else exit 1
#
# Environment:
#   KAFKA_HOME_CACHE   jar cache directory          (default <repo>/.kafka/lib)
#   KAFKA_VERSION      override the pom's kafka.version (the cache is re-fetched when it changes)
#   KAFKA_HEAP_OPTS    JVM heap flags               (default -Xms64m -Xmx512m)
#   KAFKA_JVM_OPTS     extra JVM flags, appended
#   KAFKA_START_TIMEOUT seconds to wait for the broker to answer a metadata request (default 60)
#   JAVA_HOME          Java 17+ to use (otherwise `java` on PATH)
# All diagnostics go to stderr; see scripts/kafka/README.md.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
POM="$SCRIPT_DIR/pom.xml"
LIB_DIR="${KAFKA_HOME_CACHE:-$REPO_ROOT/.kafka/lib}"
DEFAULT_RUN_DIR="$REPO_ROOT/.kafka/run"
START_TIMEOUT="${KAFKA_START_TIMEOUT:-60}"

log() { printf 'broker.sh: %s\n' "$*" >&2; }
die() {
  printf 'broker.sh: error: %s\n' "$*" >&2
  exit 1
}

pom_kafka_version() {
  sed -n 's:.*<kafka\.version>\([^<]*\)</kafka\.version>.*:\1:p' "$POM" | head -n 1
}
KAFKA_VERSION="${KAFKA_VERSION:-$(pom_kafka_version)}"
[[ -n "$KAFKA_VERSION" ]] || die "cannot read <kafka.version> from $POM"

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | cut -d' ' -f1; else shasum -a 256 "$1" | cut -d' ' -f1; fi
}

# What the cache marker must contain for the cache to count as complete.
expected_marker() {
  printf 'kafka.version=%s\npom.sha256=%s\n' "$KAFKA_VERSION" "$(sha256_of "$POM")"
}

cache_complete() {
  [[ -f "$LIB_DIR/.complete" ]] && [[ "$(cat "$LIB_DIR/.complete")" == "$(expected_marker)" ]] &&
    compgen -G "$LIB_DIR/kafka_2.13-$KAFKA_VERSION.jar" >/dev/null
}

# ---------------------------------------------------------------------------------------- fetch
cmd_fetch() {
  if cache_complete; then
    log "jars for Kafka $KAFKA_VERSION already in $LIB_DIR"
    return 0
  fi
  command -v mvn >/dev/null 2>&1 ||
    die "Maven (mvn) not found on PATH; it is needed once to download the Kafka $KAFKA_VERSION jars from Maven Central into $LIB_DIR. Install Maven 3.6+ (e.g. 'apt-get install maven'), or set KAFKA_HOME_CACHE to a directory that already holds them, or set KAFKA_BROKERS to use an existing broker."
  local parent
  parent="$(dirname "$LIB_DIR")"
  mkdir -p "$parent"
  # Serialise concurrent fetches (parallel test processes, CI steps) on one lock file. The lock fd is
  # closed again before anything long-lived (java, watchers) is started, so it never leaks into them.
  local rc=0
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$parent/.$(basename "$LIB_DIR").lock"
    flock 9
    fetch_locked || rc=$?
    exec 9>&-
  else
    fetch_locked || rc=$?
  fi
  return "$rc"
}

fetch_locked() {
  if cache_complete; then
    log "jars for Kafka $KAFKA_VERSION already in $LIB_DIR (fetched by another process)"
    return 0
  fi
  local tmp="$LIB_DIR.tmp.$$" out started
  rm -rf "$tmp"
  started=$(date +%s)
  log "fetching Kafka $KAFKA_VERSION jars from Maven Central into $LIB_DIR ..."
  if ! out=$(mvn -B -q -ntp -Dstyle.color=never -f "$POM" -Dkafka.version="$KAFKA_VERSION" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp" 2>&1); then
    rm -rf "$tmp"
    printf '%s\n' "$out" | tail -n 40 >&2
    die "mvn could not fetch org.apache.kafka:kafka_2.13:$KAFKA_VERSION and its dependencies (output above). Check network access to Maven Central (https://repo.maven.apache.org/maven2), a proxy/mirror in ~/.m2/settings.xml, and that the version exists."
  fi
  if [[ ! -f "$tmp/kafka_2.13-$KAFKA_VERSION.jar" ]]; then
    rm -rf "$tmp"
    die "mvn finished but kafka_2.13-$KAFKA_VERSION.jar was not copied"
  fi
  expected_marker >"$tmp/.complete"
  rm -rf "$LIB_DIR"
  mv "$tmp" "$LIB_DIR"
  log "fetched $(find "$LIB_DIR" -name '*.jar' | wc -l | tr -d ' ') jars ($(du -sh "$LIB_DIR" | cut -f1)) in $(($(date +%s) - started))s"
}

# ---------------------------------------------------------------------------------------- java
find_java() {
  local java
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
    java="$JAVA_HOME/bin/java"
  elif command -v java >/dev/null 2>&1; then
    java="$(command -v java)"
  else
    die "Java not found (no \$JAVA_HOME/bin/java, no java on PATH). Kafka $KAFKA_VERSION needs Java 17+: install it (e.g. 'apt-get install openjdk-17-jre-headless') or set JAVA_HOME, or set KAFKA_BROKERS to use an existing broker."
  fi
  local major
  major=$("$java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\)\(\.[0-9]*\)*.*".*/\1/p' | head -n 1)
  if [[ "$major" == 1 ]]; then major=8; fi
  if [[ -n "$major" && "$major" -lt 17 ]]; then
    die "$java is Java $major; Kafka $KAFKA_VERSION brokers need Java 17+. Install a newer JDK or point JAVA_HOME at one."
  fi
  printf '%s\n' "$java"
}

# node <mode> ...: small helpers, kept inline so this script is self-contained.
#   ports P C     -> prints "P C", where 0 (or a busy port) is replaced by a free loopback port;
#                    a busy port listed in $STRICT_PORTS is an error (exit 5) instead.
#   ready ADDR PID LOG TIMEOUT_S
#                 -> exit 0 once ADDR answers a Metadata request (kafkajs describeCluster) and the group
#                    and producer-id coordinators are usable; exit 2 when PID died, 3 on timeout.
NODE_HELPER=$(
  cat <<'JS'
import net from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const [mode, ...args] = process.argv.slice(1);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const canListen = (port) =>
  new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen({ port, host: '127.0.0.1', exclusive: true }, () => s.close(() => resolve(true)));
  });

if (mode === 'ports') {
  // Hold all chosen ports open at once so the two picks differ.
  const strict = new Set((process.env.STRICT_PORTS ?? '').split(' ').filter(Boolean).map(Number));
  const held = [];
  const out = [];
  for (const want of args.map(Number)) {
    if (want > 0 && (await canListen(want))) {
      out.push(want);
      continue;
    }
    if (want > 0 && strict.has(want)) {
      console.error(`broker.sh: error: port 127.0.0.1:${want} is already in use`);
      process.exit(5);
    }
    const s = net.createServer();
    await new Promise((r, j) => s.once('error', j).listen({ port: 0, host: '127.0.0.1', exclusive: true }, r));
    held.push(s);
    out.push(s.address().port);
  }
  await Promise.all(held.map((s) => new Promise((r) => s.close(r))));
  console.log(out.join(' '));
} else if (mode === 'ready') {
  const [address, pidStr, logFile, timeoutStr, repoRoot] = args;
  const pid = Number(pidStr);
  const deadline = Date.now() + Number(timeoutStr) * 1000;
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  let kafkajs = null;
  try {
    kafkajs = createRequire(path.join(repoRoot, 'package.json'))('kafkajs');
  } catch {
    console.error('broker.sh: kafkajs not resolvable from the repo; falling back to log + TCP readiness check');
  }
  const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
  const tcpOpen = () =>
    new Promise((resolve) => {
      const s = net.connect({ host, port });
      s.setTimeout(1000);
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
      s.once('timeout', () => (s.destroy(), resolve(false)));
    });
  let lastError = 'no attempt yet';
  while (Date.now() < deadline) {
    if (!alive()) process.exit(2);
    if (kafkajs) {
      const { Kafka, logLevel } = kafkajs;
      const kafka = new Kafka({
        clientId: 'broker-sh-ready',
        brokers: [address],
        logLevel: logLevel.NOTHING,
        connectionTimeout: 1000,
        requestTimeout: 5000,
        retry: { retries: 0 },
      });
      const admin = kafka.admin();
      try {
        await admin.connect();
        const cluster = await admin.describeCluster();
        if (cluster.brokers.length > 0) {
          await admin.disconnect();
          break;
        }
        lastError = 'metadata lists no brokers yet';
      } catch (e) {
        lastError = String(e?.message ?? e);
      }
      await admin.disconnect().catch(() => {});
    } else {
      let started = false;
      try {
        started = /Kafka Server started/.test(fs.readFileSync(logFile, 'utf8'));
      } catch {}
      if (started && (await tcpOpen())) break;
      lastError = started ? 'port not open' : 'log has no "Kafka Server started" yet';
    }
    await sleep(250);
  }
  if (Date.now() >= deadline) {
    console.error(`broker.sh: broker did not answer within ${timeoutStr}s (last: ${lastError})`);
    process.exit(alive() ? 3 : 2);
  }
  if (kafkajs) {
    // Warm-up: create and load __consumer_offsets and the producer-id/transaction coordinator now, so the
    // first test does not pay for it (and kafkajs does not log "coordinator is loading" errors).
    const { Kafka, logLevel } = kafkajs;
    const kafka = new Kafka({ clientId: 'broker-sh-warmup', brokers: [address], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    try {
      await admin.connect();
      await admin.describeGroups(['broker-sh-warmup']);
      await producer.connect();
    } catch (e) {
      console.error(`broker.sh: warm-up failed (broker is up, continuing): ${e?.message ?? e}`);
    } finally {
      await producer.disconnect().catch(() => {});
      await admin.disconnect().catch(() => {});
    }
  }
  process.exit(0);
} else {
  console.error(`unknown helper mode ${mode}`);
  process.exit(64);
}
JS
)
node_helper() {
  command -v node >/dev/null 2>&1 || die "node not found on PATH (broker.sh uses it to pick ports and to check that the broker answers)"
  node --input-type=module -e "$NODE_HELPER" -- "$@"
}

# ---------------------------------------------------------------------------------------- state
RUN_DIR="$DEFAULT_RUN_DIR"
PORT=""
OWNER_PID=""
SECURE=0
parse_args() {
  while [[ $# -gt 0 ]]; do
    case "$1" in
    --secure)
      SECURE=1
      shift
      ;;
    --port)
      [[ $# -ge 2 && "$2" =~ ^[0-9]+$ ]] || die "--port needs a number"
      PORT="$2"
      shift 2
      ;;
    --dir)
      [[ $# -ge 2 && -n "$2" ]] || die "--dir needs a directory"
      RUN_DIR="$2"
      shift 2
      ;;
    --owner-pid)
      [[ $# -ge 2 && "$2" =~ ^[0-9]+$ ]] || die "--owner-pid needs a pid"
      OWNER_PID="$2"
      shift 2
      ;;
    *) die "unknown argument: $1" ;;
    esac
  done
  if [[ -d "$RUN_DIR" ]]; then RUN_DIR="$(cd "$RUN_DIR" && pwd)"; fi
}

# Prints the pid from D/broker.pid when that process is alive and is a Kafka broker; else nothing.
running_pid() {
  local pid
  [[ -f "$RUN_DIR/broker.pid" ]] || return 0
  pid="$(head -n 1 "$RUN_DIR/broker.pid" | tr -dc '0-9')"
  [[ -n "$pid" ]] || return 0
  kill -0 "$pid" 2>/dev/null || return 0
  # Guard against a recycled pid: only a JVM running kafka.Kafka counts.
  local args
  args="$(ps -o args= -p "$pid" 2>/dev/null || true)"
  if [[ "$args" == *kafka.Kafka* ]]; then
    printf '%s\n' "$pid"
  fi
}

tail_log() {
  if [[ -f "$RUN_DIR/broker.log" ]]; then
    printf -- '----- last lines of %s -----\n' "$RUN_DIR/broker.log" >&2
    tail -n "${1:-40}" "$RUN_DIR/broker.log" >&2
    printf -- '-----\n' >&2
  fi
}

write_config() {
  local port="$1" cport="$2" sport="${3:-}" mport="${4:-}"
  local listeners="PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport"
  local advertised="PLAINTEXT://127.0.0.1:$port"
  local protocols="PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"
  if ((SECURE)); then
    listeners="$listeners,SASL_SSL://127.0.0.1:$sport,MTLS://127.0.0.1:$mport"
    advertised="$advertised,SASL_SSL://127.0.0.1:$sport,MTLS://127.0.0.1:$mport"
    protocols="$protocols,SASL_SSL:SASL_SSL,MTLS:SSL"
  fi
  cat >"$RUN_DIR/server.properties" <<EOF
# Written by scripts/kafka/broker.sh on every start; edits are overwritten.
node.id=1
process.roles=broker,controller
listeners=$listeners
advertised.listeners=$advertised
listener.security.protocol.map=$protocols
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
# Static single-voter quorum: nothing port-specific is written into the formatted storage,
# so a restart may use other ports.
controller.quorum.voters=1@127.0.0.1:$cport
log.dirs=$RUN_DIR/data
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
auto.create.topics.enable=false
delete.topic.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
# After a crash (SIGKILL) the controller must time out the old broker session before the restarted
# broker is unfenced: 5 s instead of 9 s keeps "broker crash" tests quick.
broker.session.timeout.ms=5000
broker.heartbeat.interval.ms=1000
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
log.retention.check.interval.ms=60000
EOF
  if ((SECURE)); then write_secure_config; fi
  cat >"$RUN_DIR/log4j2.properties" <<'EOF'
# Written by scripts/kafka/broker.sh. Everything goes to stdout, which is <dir>/broker.log.
status = warn
appender.out.type = Console
appender.out.name = STDOUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = STDOUT
logger.state.name = state.change.logger
logger.state.level = WARN
logger.request.name = kafka.request.logger
logger.request.level = WARN
logger.clients.name = org.apache.kafka.clients
logger.clients.level = WARN
logger.log.name = kafka.log
logger.log.level = WARN
logger.storage.name = org.apache.kafka.storage.internals.log
logger.storage.level = WARN
logger.config.name = org.apache.kafka.common.config.AbstractConfig
logger.config.level = WARN
EOF
}

# ---------------------------------------------------------------------------------------- secure
# The --secure listeners, shaped like the clusters users connect to:
#   SASL_SSL  PLAIN (Confluent Cloud: API key and secret) and SCRAM-SHA-512 (MSK SCRAM), over TLS;
#   MTLS      TLS with a required client certificate (MSK mTLS).
# Broker-to-broker and controller traffic stays on PLAINTEXT, and so does the readiness check.
# Everything is made here with openssl, once per state dir, into <dir>/secure (mode 700):
#   ca.pem                 the CA clients trust (KAFKA_CA_FILE); ca.key signs and stays here
#   broker.pem             broker key + certificate; the key is PKCS#8 encrypted (Kafka's PEM key store
#                          wants a password) with PBE-SHA1-3DES, as Java 17 has no PBES2 key factory
#   client.pem, client.key the mTLS client certificate and key (KAFKA_CLIENT_CERT_FILE, KAFKA_CLIENT_KEY_FILE)
#   plain.secret.json      {"username","password"} of the PLAIN user     } the Secrets Manager formats
#   scram.secret.json      {"username","password"} of the SCRAM user     } Lambda's Kafka event-source
#   client.secret.json     {"certificate","privateKey"} of the client    } mappings read; the CLI reads
#   root-ca.secret.json    {"certificate"} of the CA                     } them with KAFKA_SECRET_FILE
#   plain.env, scram.env, mtls.env   the client environment of each listener (file paths, no secret)
# The SCRAM user is stored in the KRaft metadata when the storage is formatted (MSK keeps SCRAM users
# on the cluster too); the PLAIN user lives in the listener's JAAS configuration, as Kafka's PLAIN does.
SECURE_USER_PLAIN="confluent-api-key"
SECURE_USER_SCRAM="msk-scram-user"

secure_dir() { printf '%s/secure\n' "$RUN_DIR"; }

# A file's text as a JSON string (PEM has newlines); node is already a dependency of this script.
json_file_string() { node -e 'process.stdout.write(JSON.stringify(require("fs").readFileSync(process.argv[1], "utf8")))' "$1"; }

make_secure_material() {
  local d
  d="$(secure_dir)"
  [[ -f "$d/.complete" ]] && return 0
  command -v openssl >/dev/null 2>&1 || die "openssl not found on PATH; --secure needs it to make the CA and certificates"
  rm -rf "$d"
  mkdir -p "$d"
  chmod 700 "$d"
  local out
  if ! out=$( (
    set -e
    cd "$d"
    umask 077
    days=3650
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days "$days" -sha256 \
      -subj "/CN=kafka-lambda-streams local CA" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
    openssl req -newkey rsa:2048 -nodes -keyout broker.key.tmp -out broker.csr -subj "/CN=localhost"
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n' >broker.ext
    openssl x509 -req -in broker.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out broker.crt -days "$days" -sha256 -extfile broker.ext
    openssl rand -hex 24 >broker-key.password
    openssl pkcs8 -topk8 -v1 PBE-SHA1-3DES -in broker.key.tmp -out broker.key -passout file:broker-key.password
    cat broker.key broker.crt >broker.pem
    openssl req -newkey rsa:2048 -nodes -keyout client.key.tmp -out client.csr -subj "/CN=mtls-client"
    printf 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n' >client.ext
    openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out client.pem -days "$days" -sha256 -extfile client.ext
    openssl pkcs8 -topk8 -nocrypt -in client.key.tmp -out client.key
    openssl rand -hex 24 >plain.password
    openssl rand -hex 24 >scram.password
    rm -f ./*.tmp ./*.csr ./*.ext ./*.srl broker.key broker.crt
  ) 2>&1); then
    printf '%s\n' "$out" | tail -n 20 >&2
    die "making the CA and certificates with openssl failed (output above)"
  fi
  (
    umask 077
    printf '{"username":"%s","password":"%s"}\n' "$SECURE_USER_PLAIN" "$(cat "$d/plain.password")" >"$d/plain.secret.json"
    printf '{"username":"%s","password":"%s"}\n' "$SECURE_USER_SCRAM" "$(cat "$d/scram.password")" >"$d/scram.secret.json"
    printf '{"certificate":%s,"privateKey":%s}\n' "$(json_file_string "$d/client.pem")" "$(json_file_string "$d/client.key")" >"$d/client.secret.json"
    printf '{"certificate":%s}\n' "$(json_file_string "$d/ca.pem")" >"$d/root-ca.secret.json"
  )
  printf 'ok\n' >"$d/.complete"
}

write_secure_config() {
  local d
  d="$(secure_dir)"
  cat >>"$RUN_DIR/server.properties" <<EOF
# --secure: SASL_SSL (PLAIN, SCRAM-SHA-512) and MTLS (SSL, client certificate required).
sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-512
listener.name.sasl_ssl.sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-512
listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_$SECURE_USER_PLAIN="$(cat "$d/plain.password")";
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
ssl.keystore.type=PEM
ssl.keystore.location=$d/broker.pem
ssl.key.password=$(cat "$d/broker-key.password")
ssl.truststore.type=PEM
ssl.truststore.location=$d/ca.pem
listener.name.mtls.ssl.client.auth=required
EOF
  chmod 600 "$RUN_DIR/server.properties"
}

# The client side of each secure listener, as the environment the CLI reads (paths only, no secret).
write_secure_env_files() {
  local sport="$1" mport="$2" d
  d="$(secure_dir)"
  printf 'KAFKA_BROKERS=127.0.0.1:%s\nKAFKA_AUTH=plain\nKAFKA_SECRET_FILE=%s\nKAFKA_CA_FILE=%s\n' \
    "$sport" "$d/plain.secret.json" "$d/ca.pem" >"$d/plain.env"
  printf 'KAFKA_BROKERS=127.0.0.1:%s\nKAFKA_AUTH=scram-sha-512\nKAFKA_SECRET_FILE=%s\nKAFKA_CA_FILE=%s\n' \
    "$sport" "$d/scram.secret.json" "$d/ca.pem" >"$d/scram.env"
  printf 'KAFKA_BROKERS=127.0.0.1:%s\nKAFKA_AUTH=mtls\nKAFKA_CA_FILE=%s\nKAFKA_CLIENT_CERT_FILE=%s\nKAFKA_CLIENT_KEY_FILE=%s\n' \
    "$mport" "$d/ca.pem" "$d/client.pem" "$d/client.key" >"$d/mtls.env"
}

# Random Kafka cluster id: 16 random bytes, URL-safe base64 without padding (22 chars), not starting
# with '-' (like Kafka's own Uuid.randomUuid; such an id would also look like an option to StorageTool).
new_cluster_id() {
  local id
  while :; do
    id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n' | cut -c1-22)"
    [[ "$id" == -* ]] || break
  done
  printf '%s\n' "$id"
}

# Starts java once; sets BROKER_PID. Returns 0 when ready, 2 when java died, 3 on timeout.
launch_and_wait() {
  local java="$1" port="$2"
  [[ -f "$RUN_DIR/broker.log" ]] && mv -f "$RUN_DIR/broker.log" "$RUN_DIR/broker.log.1"
  local -a jvm_opts
  # shellcheck disable=SC2206 # word splitting of user-supplied flags is intended
  jvm_opts=(${KAFKA_HEAP_OPTS:--Xms64m -Xmx512m} -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError -XX:-UsePerfData
    -Djava.awt.headless=true -Dlog4j2.configurationFile="$RUN_DIR/log4j2.properties" -Dkafka.logs.dir="$RUN_DIR"
    ${KAFKA_JVM_OPTS:-})
  # A new session keeps Ctrl-C in the calling terminal from reaching the broker once start returned;
  # the child writes its own pid so we do not depend on how setsid forks.
  local launcher=()
  command -v setsid >/dev/null 2>&1 && launcher=(setsid)
  rm -f "$RUN_DIR/broker.pid.tmp"
  ${launcher[@]+"${launcher[@]}"} bash -c 'echo $$ >"$0"; exec "$@"' "$RUN_DIR/broker.pid.tmp" \
    "$java" "${jvm_opts[@]}" -cp "$LIB_DIR/*" kafka.Kafka "$RUN_DIR/server.properties" \
    </dev/null >"$RUN_DIR/broker.log" 2>&1 &
  local i
  for i in $(seq 1 100); do
    [[ -s "$RUN_DIR/broker.pid.tmp" ]] && break
    sleep 0.05
  done
  BROKER_PID="$(cat "$RUN_DIR/broker.pid.tmp" 2>/dev/null || true)"
  rm -f "$RUN_DIR/broker.pid.tmp"
  [[ -n "$BROKER_PID" ]] || return 2
  printf '%s\n' "$BROKER_PID" >"$RUN_DIR/broker.pid"
  local rc=0
  node_helper ready "127.0.0.1:$port" "$BROKER_PID" "$RUN_DIR/broker.log" "$START_TIMEOUT" "$REPO_ROOT" || rc=$?
  return "$rc"
}

kill_pid() {
  local pid="$1" waited=0
  kill -TERM "$pid" 2>/dev/null || return 0
  while kill -0 "$pid" 2>/dev/null; do
    if ((waited >= 300)); then # 30 s
      log "pid $pid ignored SIGTERM for 30s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.2
      break
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
}

# Background watcher: stop the broker when the owner process (e.g. the test runner) goes away,
# so a crashed or killed test run does not leave brokers behind.
spawn_owner_watch() {
  local owner="$1" pid="$2"
  (
    trap '' HUP INT
    while kill -0 "$owner" 2>/dev/null && kill -0 "$pid" 2>/dev/null; do sleep 2; done
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || exit 0; sleep 0.2; done
      kill -KILL "$pid" 2>/dev/null || true
    fi
  ) </dev/null >/dev/null 2>&1 &
  disown 2>/dev/null || true
}

# ---------------------------------------------------------------------------------------- start
cmd_start() {
  parse_args "$@"
  mkdir -p "$RUN_DIR"
  RUN_DIR="$(cd "$RUN_DIR" && pwd)"
  local pid
  pid="$(running_pid)"
  if [[ -n "$pid" ]]; then
    local addr
    addr="$(cat "$RUN_DIR/brokers" 2>/dev/null || true)"
    if [[ -n "$addr" && ( -z "$PORT" || "$addr" == "127.0.0.1:$PORT" ) ]]; then
      if ((SECURE)) && [[ ! -f "$RUN_DIR/secure.brokers" ]]; then
        die "the broker in $RUN_DIR runs without --secure; stop it first: $0 stop --dir $RUN_DIR"
      fi
      log "already running (pid $pid) in $RUN_DIR"
      printf 'KAFKA_BROKERS=%s\n' "$addr"
      if ((SECURE)); then cat "$RUN_DIR/secure.brokers"; fi
      return 0
    fi
    die "a broker (pid $pid, ${addr:-unknown address}) already runs in $RUN_DIR; stop it first: $0 stop --dir $RUN_DIR"
  fi
  rm -f "$RUN_DIR/broker.pid"

  local java
  java="$(find_java)"
  cmd_fetch

  # Ports: --port wins; else reuse the last ones used in this dir when still free; else free ones.
  local want_port="${PORT:-}" want_cport="" want_sport="" want_mport="" attempt ports port cport sport="" mport=""
  local last_port="" last_cport="" last_sport="" last_mport=""
  if [[ -f "$RUN_DIR/ports" ]]; then
    read -r last_port last_cport last_sport last_mport <"$RUN_DIR/ports" || true
    want_port="${want_port:-${last_port:-}}"
    want_cport="${last_cport:-}"
    want_sport="${last_sport:-}"
    want_mport="${last_mport:-}"
  fi

  local formatted=0
  [[ -f "$RUN_DIR/data/meta.properties" ]] && formatted=1
  if ((SECURE)); then
    # SCRAM users are written into the metadata when the storage is formatted.
    if ((formatted)) && [[ ! -f "$RUN_DIR/scram.formatted" ]]; then
      die "$RUN_DIR was formatted without --secure, so it has no SCRAM user; use a new --dir for --secure"
    fi
    make_secure_material
  fi

  for attempt in 1 2 3; do
    if ((SECURE)); then
      ports="$(STRICT_PORTS="${PORT:-}" node_helper ports "${want_port:-0}" "${want_cport:-0}" "${want_sport:-0}" "${want_mport:-0}")"
    else
      ports="$(STRICT_PORTS="${PORT:-}" node_helper ports "${want_port:-0}" "${want_cport:-0}")"
    fi || die "cannot use the requested port (see above); stop whatever listens there or pick another --port"
    read -r port cport sport mport <<<"$ports"
    [[ "$port" != "$cport" ]] || cport="$(node_helper ports 0)"
    write_config "$port" "$cport" "$sport" "$mport"

    if ((formatted == 0)); then
      local cid out
      local -a scram=()
      if ((SECURE)); then
        scram=(--add-scram "SCRAM-SHA-512=[name=$SECURE_USER_SCRAM,password=$(cat "$(secure_dir)/scram.password")]")
      fi
      cid="$(new_cluster_id)"
      log "formatting KRaft storage in $RUN_DIR/data (cluster id $cid)"
      if ! out=$("$java" -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
        -Dlog4j2.configurationFile="$RUN_DIR/log4j2.properties" -cp "$LIB_DIR/*" \
        kafka.tools.StorageTool format -t "$cid" -c "$RUN_DIR/server.properties" ${scram[@]+"${scram[@]}"} 2>&1); then
        if ((SECURE)); then out="${out//$(cat "$(secure_dir)/scram.password")/<redacted>}"; fi
        printf '%s\n' "$out" | tail -n 30 >&2
        die "formatting KRaft storage failed (output above)"
      fi
      printf '%s\n' "$cid" >"$RUN_DIR/cluster.id"
      if ((SECURE)); then printf '%s\n' "$SECURE_USER_SCRAM" >"$RUN_DIR/scram.formatted"; fi
      formatted=1
    fi

    log "starting Kafka $KAFKA_VERSION on 127.0.0.1:$port (controller 127.0.0.1:$cport), logs in $RUN_DIR/broker.log"
    local rc=0
    launch_and_wait "$java" "$port" || rc=$?
    if ((rc == 0)); then
      printf '%s\n' "$port $cport${sport:+ $sport $mport}" >"$RUN_DIR/ports"
      printf '127.0.0.1:%s\n' "$port" >"$RUN_DIR/brokers"
      rm -f "$RUN_DIR/secure.brokers"
      if ((SECURE)); then
        write_secure_env_files "$sport" "$mport"
        printf 'KAFKA_SASL_SSL_BROKERS=127.0.0.1:%s\nKAFKA_MTLS_BROKERS=127.0.0.1:%s\nKAFKA_SECURE_DIR=%s\n' \
          "$sport" "$mport" "$(secure_dir)" >"$RUN_DIR/secure.brokers"
      fi
      [[ -n "$OWNER_PID" ]] && spawn_owner_watch "$OWNER_PID" "$BROKER_PID"
      printf 'KAFKA_BROKERS=127.0.0.1:%s\n' "$port"
      if ((SECURE)); then cat "$RUN_DIR/secure.brokers"; fi
      return 0
    fi
    if ((rc == 3)); then
      tail_log 60
      [[ -n "${BROKER_PID:-}" ]] && kill_pid "$BROKER_PID"
      rm -f "$RUN_DIR/broker.pid"
      die "the broker did not answer a metadata request on 127.0.0.1:$port within ${START_TIMEOUT}s (log tail above; KAFKA_START_TIMEOUT raises the limit)"
    fi
    rm -f "$RUN_DIR/broker.pid"
    # java exited. A lost race for an auto-picked port is retried with new ports.
    if ((attempt < 3)) && grep -q 'Address already in use' "$RUN_DIR/broker.log" 2>/dev/null; then
      log "port taken (attempt $attempt); retrying with other ports"
      [[ -z "$PORT" ]] && want_port=""
      want_cport=""
      want_sport=""
      want_mport=""
      continue
    fi
    break
  done
  tail_log 60
  die "the broker process exited during startup (log tail above, full log $RUN_DIR/broker.log)"
}

# ---------------------------------------------------------------------------------------- stop/status
cmd_stop() {
  parse_args "$@"
  local pid
  pid="$(running_pid)"
  if [[ -z "$pid" ]]; then
    rm -f "$RUN_DIR/broker.pid"
    log "no broker running in $RUN_DIR"
    return 0
  fi
  log "stopping broker pid $pid ($RUN_DIR)"
  kill_pid "$pid"
  rm -f "$RUN_DIR/broker.pid"
}

cmd_status() {
  parse_args "$@"
  local pid
  pid="$(running_pid)"
  if [[ -n "$pid" ]]; then
    printf 'running pid=%s KAFKA_BROKERS=%s dir=%s\n' "$pid" "$(cat "$RUN_DIR/brokers" 2>/dev/null || echo '?')" "$RUN_DIR"
    return 0
  fi
  printf 'stopped dir=%s\n' "$RUN_DIR"
  return 1
}

usage() {
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0" >&2
}

case "${1:-}" in
fetch)
  shift
  [[ $# -eq 0 ]] || die "fetch takes no arguments"
  cmd_fetch
  ;;
start)
  shift
  cmd_start "$@"
  ;;
stop)
  shift
  cmd_stop "$@"
  ;;
status)
  shift
  cmd_status "$@"
  ;;
-h | --help | help)
  usage
  ;;
*)
  usage
  exit 64
  ;;
esac
