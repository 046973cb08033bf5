#!/usr/bin/env bash
# The local pinzhi stack as plain processes on 127.0.0.1: Apache Kafka (KRaft, from Maven
# Central jars) and FerretDB v1 (built from its Go module, embedded in infra/ferretdb).
#
#   stack.sh install          fetch the Kafka jars and build FerretDB into the cache
#   stack.sh up               install if needed, start both, wait until they answer
#   stack.sh down             stop what `up` started
#   stack.sh status           say what runs where
#   stack.sh ferretdb-bin     build FerretDB if needed and print the binary's path
#   stack.sh up|down kafka    one component only (same for ferretdb)
#
# Every command is idempotent: a second `up` finds the servers running and does nothing.
# Downloads and builds live in PINZHI_CACHE (default ~/.cache/pinzhi) so a fresh clone on the
# same machine reuses them; data, logs and pid files live in PINZHI_STATE (default .pinzhi/
# in the checkout, ignored by git).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
infra=$(dirname "$here")
repo=$(dirname "$infra")
cache=${PINZHI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pinzhi}
state=${PINZHI_STATE:-$repo/.pinzhi}
kafka_port=${PINZHI_KAFKA_PORT:-9092}
controller_port=${PINZHI_KAFKA_CONTROLLER_PORT:-9093}
mongo_port=${PINZHI_MONGO_PORT:-27017}
kafka_heap=${PINZHI_KAFKA_HEAP:-768m}

say() { printf '[stack] %s\n' "$*"; }
die() { printf '[stack] error: %s\n' "$*" >&2; exit 1; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

content_hash() { cat "$@" | sha256sum | cut -c1-16; }

need() { command -v "$1" >/dev/null 2>&1 || die "$1 is not installed: $2"; }

# ---------------------------------------------------------------- Kafka

kafka_libs() { echo "$cache/kafka/$(content_hash "$infra/kafka/pom.xml")/libs"; }

install_kafka() {
  local libs; libs=$(kafka_libs)
  [ -f "$libs/.complete" ] && return 0
  need java "Kafka needs Java 17 or newer"
  need mvn "Maven fetches the Kafka jars from Maven Central"
  say "fetching Apache Kafka jars from Maven Central into $libs"
  local tmp="$libs.tmp.$$"
  rm -rf "$tmp"; mkdir -p "$tmp"
  mvn -B -q -f "$infra/kafka/pom.xml" \
    org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$tmp" \
    || die "Maven could not fetch the Kafka jars (see the output above)"
  touch "$tmp/.complete"
  rm -rf "$libs"; mv "$tmp" "$libs"
}

kafka_jvm_opts=(-Xms256m "-Xmx$kafka_heap" -XX:+UseG1GC -Djava.awt.headless=true
  "-Dlog4j2.configurationFile=$infra/kafka/log4j2.properties")

kafka_java() { java "${kafka_jvm_opts[@]}" -cp "$(kafka_libs)/*" "$@"; }

up_kafka() {
  local dir="$state/kafka" pidf="$state/kafka/kafka.pid"
  if pid_alive "$pidf"; then say "kafka already running on 127.0.0.1:$kafka_port"; return 0; fi
  if port_open "$kafka_port"; then
    say "something already listens on 127.0.0.1:$kafka_port; using it as Kafka"; return 0
  fi
  install_kafka
  mkdir -p "$dir/data"
  sed -e "s/127.0.0.1:9092/127.0.0.1:$kafka_port/g" -e "s/127.0.0.1:9093/127.0.0.1:$controller_port/g" \
    "$infra/kafka/server.properties" > "$dir/server.properties"
  echo "log.dirs=$dir/data" >> "$dir/server.properties"
  if [ ! -f "$dir/cluster.id" ]; then
    kafka_java org.apache.kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1 > "$dir/cluster.id" \
      || kafka_java kafka.tools.StorageTool random-uuid | tail -n 1 > "$dir/cluster.id"
  fi
  kafka_java kafka.tools.StorageTool format -t "$(cat "$dir/cluster.id")" \
    -c "$dir/server.properties" --ignore-formatted > "$dir/format.log" 2>&1 \
    || { cat "$dir/format.log" >&2; die "formatting Kafka storage failed"; }
  say "starting kafka on 127.0.0.1:$kafka_port (log: $dir/kafka.log)"
  # setsid: the broker keeps running after this script (and a Ctrl-C in its terminal) ends.
  setsid nohup java "${kafka_jvm_opts[@]}" -cp "$(kafka_libs)/*" kafka.Kafka "$dir/server.properties" \
    < /dev/null > "$dir/kafka.log" 2>&1 &
  echo $! > "$pidf"
  local i
  for i in $(seq 1 240); do
    if ! pid_alive "$pidf"; then tail -n 30 "$dir/kafka.log" >&2; die "kafka exited during start"; fi
    if port_open "$kafka_port" && grep -qE 'Transition from STARTING to STARTED|Kafka Server started' "$dir/kafka.log"; then
      say "kafka ready on 127.0.0.1:$kafka_port"; return 0
    fi
    sleep 0.5
  done
  tail -n 30 "$dir/kafka.log" >&2
  die "kafka did not become ready within 120 s"
}

# ---------------------------------------------------------------- FerretDB

ferretdb_bin() {
  echo "$cache/ferretdb/$(content_hash "$infra/ferretdb/go.mod" "$infra/ferretdb/go.sum" "$infra/ferretdb/main.go" \
    "$infra/ferretdb/sqlite-id-index.sed" \
    "$infra/ferretdb/id-in-pushdown.sed" "$infra/ferretdb/id_in_pushdown.go.txt")/pinzhi-ferretdb"
}

install_ferretdb() {
  local bin; bin=$(ferretdb_bin)
  [ -x "$bin" ] && return 0
  need go "FerretDB is built from its Go module (Go 1.24 or newer)"
  say "building FerretDB v1 from its Go module into $bin"
  local build; build="$(dirname "$bin")/build.$$"
  rm -rf "$build"; mkdir -p "$build"
  # FerretDB is built from a copy of its module with one line changed (see
  # infra/ferretdb/sqlite-id-index.sed for why), wired in by a `replace` in a build-only go.mod.
  local src
  src=$(cd "$infra/ferretdb" && GOFLAGS=-mod=mod go mod download -json github.com/FerretDB/FerretDB \
    | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p')
  [ -f "$src/go.mod" ] || die "FerretDB source not found (go mod download said '$src')"
  cp -R "$src" "$build/FerretDB"; chmod -R u+w "$build/FerretDB"
  local metadata="$build/FerretDB/internal/backends/sqlite/metadata/metadata.go"
  sed -i -f "$infra/ferretdb/sqlite-id-index.sed" "$metadata"
  grep -q "IDColumn = DefaultColumn + \"->'_id'\"" "$metadata" || die "the _id index patch no longer applies to $metadata"
  # And {_id: {$in: [...]}} answered from that index (infra/ferretdb/id_in_pushdown.go.txt).
  local sqlite="$build/FerretDB/internal/backends/sqlite"
  cp "$infra/ferretdb/id_in_pushdown.go.txt" "$sqlite/id_in_pushdown.go"
  sed -i -f "$infra/ferretdb/id-in-pushdown.sed" "$sqlite/collection.go"
  grep -q "pinzhiIDInClause(params.Filter)" "$sqlite/collection.go" || die "the \$in pushdown patch no longer applies to $sqlite/collection.go"
  cp "$infra/ferretdb/go.mod" "$infra/ferretdb/go.sum" "$build/"
  go mod edit -replace "github.com/FerretDB/FerretDB=$build/FerretDB" "$build/go.mod"
  (cd "$infra/ferretdb" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -modfile="$build/go.mod" -trimpath -o "$bin.tmp.$$" .) \
    || die "building FerretDB failed (see the output above)"
  mv "$bin.tmp.$$" "$bin"
  rm -rf "$build"
}

up_ferretdb() {
  local dir="$state/ferretdb" pidf="$state/ferretdb/ferretdb.pid"
  if pid_alive "$pidf"; then say "ferretdb already running on 127.0.0.1:$mongo_port"; return 0; fi
  if port_open "$mongo_port"; then
    say "something already listens on 127.0.0.1:$mongo_port; using it as MongoDB"; return 0
  fi
  install_ferretdb
  mkdir -p "$dir/data"
  say "starting ferretdb on 127.0.0.1:$mongo_port (log: $dir/ferretdb.log)"
  setsid nohup "$(ferretdb_bin)" -listen "127.0.0.1:$mongo_port" -dir "$dir/data" \
    < /dev/null > "$dir/ferretdb.log" 2>&1 &
  echo $! > "$pidf"
  local i
  for i in $(seq 1 120); do
    if ! pid_alive "$pidf"; then tail -n 30 "$dir/ferretdb.log" >&2; die "ferretdb exited during start"; fi
    if port_open "$mongo_port"; then say "ferretdb ready on 127.0.0.1:$mongo_port"; return 0; fi
    sleep 0.25
  done
  tail -n 30 "$dir/ferretdb.log" >&2
  die "ferretdb did not become ready within 30 s"
}

# ---------------------------------------------------------------- common

down_one() {
  local name=$1 pidf="$state/$1/$1.pid"
  if ! pid_alive "$pidf"; then rm -f "$pidf"; say "$name not running (nothing to stop)"; return 0; fi
  local pid; pid=$(cat "$pidf")
  say "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  local i
  for i in $(seq 1 120); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$pidf"; say "$name stopped"; return 0; }
    sleep 0.25
  done
  say "$name did not stop within 30 s; killing it"
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$pidf"
}

status_one() {
  local name=$1 port=$2
  if pid_alive "$state/$name/$name.pid"; then say "$name: running (pid $(cat "$state/$name/$name.pid")) on 127.0.0.1:$port"
  elif port_open "$port"; then say "$name: 127.0.0.1:$port answers (not started by this checkout)"
  else say "$name: down"; fi
}

cmd=${1:-status}
what=${2:-all}
case "$what" in all|kafka|ferretdb) ;; *) die "unknown component '$what' (kafka, ferretdb or all)";; esac
mkdir -p "$state"

case "$cmd" in
  install)
    [ "$what" = ferretdb ] || install_kafka
    [ "$what" = kafka ] || install_ferretdb
    say "installed (cache: $cache)" ;;
  up)
    # FerretDB first: it starts in a second while the JVM warms up.
    [ "$what" = kafka ] || up_ferretdb
    [ "$what" = ferretdb ] || up_kafka
    say "KAFKA_BROKERS=127.0.0.1:$kafka_port MONGO_URL=mongodb://127.0.0.1:$mongo_port" ;;
  down)
    [ "$what" = ferretdb ] || down_one kafka
    [ "$what" = kafka ] || down_one ferretdb ;;
  status)
    status_one kafka "$kafka_port"
    status_one ferretdb "$mongo_port" ;;
  ferretdb-bin)
    # For tests that run a FerretDB of their own (e.g. to stop it under a running service).
    install_ferretdb >&2
    ferretdb_bin ;;
  *) die "unknown command '$cmd' (install, up, down, status or ferretdb-bin)" ;;
esac
