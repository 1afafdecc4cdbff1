#!/usr/bin/env bash
# Single-node OpenSearch on 127.0.0.1 for tests and local dev, without Docker: assembled
# from Maven Central jars (via mvn) into .cache/search-engine/ (server in lib/, modules in
# modules/<name>/). Usage: scripts/search-engine.sh start|stop|status|url
# Env: SEARCH_PORT (9200), SEARCH_HEAP (512m), SEARCH_START_TIMEOUT (120 s), SEARCH_RUN_AS_ROOT=1,
#      OPENSEARCH_VERSION (2.19.6; 2.19.x is the last line that runs on Java 17).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VERSION="${OPENSEARCH_VERSION:-2.19.6}"
PORT="${SEARCH_PORT:-9200}"
HEAP="${SEARCH_HEAP:-512m}"
TIMEOUT="${SEARCH_START_TIMEOUT:-120}"
CACHE="$ROOT/.cache/search-engine"
HOME_DIR="$CACHE/opensearch-$VERSION"
RUN_DIR="$CACHE/run-$PORT"        # data, logs, tmp, pid: one node per port
PIDFILE="$RUN_DIR/opensearch.pid"
URL="http://127.0.0.1:$PORT"
RUN_USER="opensearch"             # OpenSearch refuses to run as root
# module dir name | artifactId | plugin class | extended plugins
MODULES="transport-netty4|transport-netty4-client|org.opensearch.transport.Netty4Plugin|
lang-painless|lang-painless|org.opensearch.painless.PainlessPlugin|
analysis-common|analysis-common|org.opensearch.analysis.common.CommonAnalysisPlugin|lang-painless
mapper-extras|mapper-extras-client|org.opensearch.index.mapper.MapperExtrasPlugin|"

die() { echo "search-engine: $*" >&2; exit 1; }
healthy() { curl -fsS -m 5 "$URL/_cluster/health" 2>/dev/null | grep -qE '"status":"(green|yellow)"'; }
running() { [ -s "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

# mvn copy-dependencies of artifacts (+ their transitive deps) into a directory.
fetch() { # outdir groupId:artifactId:version...
  local out="$1" name="${2//:/_}" dep deps="" g a v; shift
  for dep in "$@"; do IFS=: read -r g a v <<<"$dep"
    deps+="<dependency><groupId>$g</groupId><artifactId>$a</artifactId><version>$v</version></dependency>"
  done
  mkdir -p "$CACHE/build/$name" "$out"
  echo "<project><modelVersion>4.0.0</modelVersion><groupId>local</groupId><artifactId>fetch</artifactId>
<version>1</version><dependencies>$deps</dependencies></project>" >"$CACHE/build/$name/pom.xml"
  mvn -B -f "$CACHE/build/$name/pom.xml" -Dmaven.repo.local="$CACHE/m2" -Dstyle.color=never \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$out" \
    >"$CACHE/build/$name/mvn.log" 2>&1 \
    || { tail -n 20 "$CACHE/build/$name/mvn.log" >&2; die "mvn could not fetch $*"; }
}

# Optional deps of a pom (the distribution ships them in lib/: log4j-core, jts, spatial4j).
optional_deps() { awk -F'[<>]' '/<dependency>/{g=a=v=o=""} /<optional>true/{o=1}
  /<groupId>/&&g==""{g=$3} /<artifactId>/&&a==""{a=$3} /<version>/{v=$3}
  /<\/dependency>/&&o{print g":"a":"v}' "$1"; }

install() { # under a lock, so that concurrent starts fetch once; fd 9 must not leak into java
  mkdir -p "$CACHE"; exec 9>"$CACHE/fetch.lock"; flock -w 900 9 || die "timed out waiting for $CACHE/fetch.lock"
  [ -f "$HOME_DIR/.complete" ] || assemble; exec 9>&-
}

assemble() {
  command -v mvn >/dev/null || die "mvn not found (needed to fetch OpenSearch from Maven Central)"
  echo "search-engine: fetching OpenSearch $VERSION from Maven Central into $CACHE ..." >&2
  rm -rf "$HOME_DIR"; mkdir -p "$HOME_DIR"/{bin,config,modules,plugins}
  local core="org.opensearch:opensearch:$VERSION"
  fetch "$HOME_DIR/lib" "$core" "org.opensearch:opensearch-plugin-classloader:$VERSION"
  # shellcheck disable=SC2046 # word splitting wanted
  fetch "$HOME_DIR/lib" "$core" $(optional_deps "$CACHE/m2/org/opensearch/opensearch/$VERSION/opensearch-$VERSION.pom")
  local dir art cls ext jar
  while IFS='|' read -r dir art cls ext; do
    fetch "$HOME_DIR/modules/$dir" "org.opensearch.plugin:$art:$VERSION"
    for jar in "$HOME_DIR/modules/$dir"/*.jar; do   # drop what the server or the
      [ -e "$HOME_DIR/lib/${jar##*/}" ] && rm -f "$jar"  # extended plugin already has
      [ -n "$ext" ] && [ -e "$HOME_DIR/modules/$ext/${jar##*/}" ] && rm -f "$jar"
    done
    printf '%s\n' "name=$dir" "description=$dir module" "version=$VERSION" \
      "opensearch.version=$VERSION" "java.version=11" "classname=$cls" \
      "extended.plugins=$ext" "has.native.controller=false" \
      >"$HOME_DIR/modules/$dir/plugin-descriptor.properties"
    printf 'grant {\n  permission java.security.AllPermission;\n};\n' \
      >"$HOME_DIR/modules/$dir/plugin-security.policy"
  done <<<"$MODULES"
  printf '%s\n' "status = error" "appender.console.type = Console" "appender.console.name = console" \
    "appender.console.layout.type = PatternLayout" "rootLogger.level = info" \
    "appender.console.layout.pattern = [%d{ISO8601}][%-5p][%-25c{1.}] %marker %m%n" \
    "rootLogger.appenderRef.console.ref = console" >"$HOME_DIR/config/log4j2.properties"
  touch "$HOME_DIR/.complete"
  echo "search-engine: fetched $(du -sh "$HOME_DIR" | cut -f1) (maven cache $(du -sh "$CACHE/m2" | cut -f1))" >&2
}

start() {
  if running && healthy; then echo "$URL"; return 0; fi
  running && die "process $(cat "$PIDFILE") is up but $URL is not healthy; try: $0 stop"
  (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && die "port $PORT is already in use by another process"
  command -v java >/dev/null || die "java not found (Java 17+ required)"
  install
  mkdir -p "$RUN_DIR"/{data,logs,tmp,config}
  cp "$HOME_DIR/config/log4j2.properties" "$RUN_DIR/config/"
  cat >"$RUN_DIR/config/opensearch.yml" <<EOF
cluster.name: search-engine-dev
node.name: node-$PORT
network.host: 127.0.0.1
http.port: $PORT
discovery.type: single-node
path.data: $RUN_DIR/data
path.logs: $RUN_DIR/logs
action.auto_create_index: true
cluster.routing.allocation.disk.threshold_enabled: false
EOF
  # OpenSearch refuses to run as root: as root, run it as a dedicated system user; if that
  # user cannot reach the checkout (e.g. under /root, mode 700), run as root with JNA's
  # native library disabled, so the root check (which needs JNA) is skipped.
  local -a as_user=() jvm_root=()
  if [ "$(id -u)" = 0 ]; then
    local -a priv=(setpriv --reuid="$RUN_USER" --regid="$RUN_USER" --init-groups)
    if [ "${SEARCH_RUN_AS_ROOT:-0}" != 1 ] && command -v setpriv >/dev/null \
      && { id -u "$RUN_USER" >/dev/null 2>&1 || useradd --system --no-create-home \
           --shell /usr/sbin/nologin "$RUN_USER" >/dev/null 2>&1; } \
      && "${priv[@]}" test -r "$HOME_DIR/lib/opensearch-$VERSION.jar"; then
      chown -R "$RUN_USER": "$RUN_DIR"; as_user=("${priv[@]}")
    else
      echo "search-engine: running as root (user '$RUN_USER' unavailable or cannot reach $CACHE)" >&2
      chown -R 0:0 "$RUN_DIR"
      jvm_root=(-Djna.nosys=true -Djna.nounpack=true -Djna.boot.library.path=/nonexistent)
    fi
  fi
  rm -f "$PIDFILE"
  OPENSEARCH_PATH_CONF="$RUN_DIR/config" nohup "${as_user[@]}" java \
    -Xms"$HEAP" -Xmx"$HEAP" -XX:+UseG1GC -XX:-HeapDumpOnOutOfMemoryError \
    -Djava.io.tmpdir="$RUN_DIR/tmp" -Djna.tmpdir="$RUN_DIR/tmp" -Dfile.encoding=UTF-8 \
    -Dlog4j2.formatMsgNoLookups=true -Dlog4j.shutdownHookEnabled=false -Dlog4j2.disable.jmx=true \
    -Dio.netty.noUnsafe=true -Dio.netty.noKeySetOptimization=true -Dio.netty.recycler.maxCapacityPerThread=0 \
    -Djava.locale.providers=SPI,COMPAT "${jvm_root[@]}" \
    -Dopensearch.path.home="$HOME_DIR" -Dopensearch.path.conf="$RUN_DIR/config" \
    -Dopensearch.distribution.type=tar -Dopensearch.bundled_jdk=false \
    -cp "$HOME_DIR/lib/*" org.opensearch.bootstrap.OpenSearch -p "$PIDFILE" \
    >"$RUN_DIR/console.log" 2>&1 </dev/null &
  local launcher=$! t=0
  until healthy; do
    kill -0 "$launcher" 2>/dev/null || { tail -n 30 "$RUN_DIR/console.log" >&2
      die "OpenSearch exited during startup (log: $RUN_DIR/console.log)"; }
    [ "$t" -ge "$TIMEOUT" ] && { tail -n 30 "$RUN_DIR/console.log" >&2; kill "$launcher" 2>/dev/null || true
      die "not healthy after ${TIMEOUT}s (log: $RUN_DIR/console.log)"; }
    sleep 1; t=$((t + 1))
  done
  [ -s "$PIDFILE" ] || echo "$launcher" >"$PIDFILE"
  echo "$URL"
}

stop() {
  if ! running; then echo "search-engine: not running on port $PORT"; rm -f "$PIDFILE"; return 0; fi
  local pid t=0; pid="$(cat "$PIDFILE")"
  kill "$pid"
  while kill -0 "$pid" 2>/dev/null; do
    [ "$t" -ge 30 ] && { kill -9 "$pid" 2>/dev/null || true; break; }
    sleep 1; t=$((t + 1))
  done
  rm -f "$PIDFILE"; echo "search-engine: stopped (pid $pid)"
}

status() {
  if running && healthy; then echo "running: $URL (pid $(cat "$PIDFILE"))"
  elif running; then echo "starting or unhealthy: $URL (pid $(cat "$PIDFILE"))"; return 1
  else echo "stopped (port $PORT)"; return 3; fi
}

case "${1:-}" in
  start) start ;; stop) stop ;; status) status ;; url) echo "$URL" ;;
  *) echo "usage: $0 start|stop|status|url   (env SEARCH_PORT, default 9200)" >&2; exit 2 ;;
esac
