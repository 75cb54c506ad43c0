#!/usr/bin/env bash
# dbjobs sandbox: a small replicated MariaDB cluster on loopback (a primary and two replicas with
# GTID replication), an agent per node and the manager daemon (`dbjobs serve`: receiver, HTTP API
# with a generated token, watchdog, schedules), all on this machine, in ./sandbox-run. Like in
# production, every dbjobs command goes through the daemon (manager.yml sets api.url);
# `dbjobs --direct ...` works directly against the nodes instead, without the daemon.
#
#   deploy/sandbox/sandbox.sh          the demo: set everything up; while a writer inserts, wait
#                                      for the demo schedule's backup (it fires on its own, 20 s
#                                      after the daemon starts), take a physical backup and reseed
#                                      a replica from it, then show jobs, bytes, times, replication
#                                      state, checksums, an excerpt of /metrics, and one command
#                                      run directly (--direct) for comparison
#   deploy/sandbox/sandbox.sh up       only set up (servers, agents, manager config, daemon)
#   deploy/sandbox/sandbox.sh status   the daemon, nodes and recent jobs
#   deploy/sandbox/sandbox.sh down     stop and remove everything the sandbox started
#
# Needs Debian/Ubuntu packages mariadb-server, mariadb-backup, mariadb-client, a JDK 17 and Maven;
# curl; installs the missing ones with apt-get when run as root (or with sudo). Never touches the
# machine's own MariaDB service: its servers run on free loopback ports in ./sandbox-run.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
run=${SANDBOX_DIR:-$repo/sandbox-run}
nodes=(db1 db2 db3)
cmd=${1:-demo}

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
die() { echo "sandbox: $*" >&2; exit 1; }

free_port() { python3 - <<'PY' 2>/dev/null || shuf -i 20000-60000 -n 1
import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()
PY
}

install_packages() {
  local missing=()
  for p in mariadb-server mariadb-client mariadb-backup openjdk-17-jdk-headless maven curl; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return
  say "installing ${missing[*]}"
  local sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

build() {
  if [ -n "${SANDBOX_SKIP_BUILD:-}" ] && [ -f "$repo/agent/target/dbjobs-agent.jar" ] && [ -f "$repo/manager/target/dbjobs.jar" ]; then
    return
  fi
  say "building dbjobs (mvn package)"
  (cd "$repo" && mvn -B -q -DskipTests -Dspotless.check.skip=true package -pl agent,manager -am)
}

mdb() { local n=$1; shift; mariadb --defaults-file="$run/$n/client.cnf" "$@"; }

server_up() {
  local n=$1 port=$2 id=$3 dir="$run/$1"
  mkdir -p "$dir"
  local user_line=""; [ "$(id -u)" -eq 0 ] && user_line="user=root"
  cat > "$dir/my.cnf" <<EOF
[mariadbd]
datadir=$dir/data
port=$port
bind-address=127.0.0.1
socket=$dir/mysqld.sock
pid-file=$dir/mariadbd.pid
log-error=$dir/error.log
server-id=$id
log-bin=mysql-bin
log-slave-updates=1
binlog-format=ROW
gtid-strict-mode=1
relay-log=relay-bin
skip-name-resolve=1
innodb-buffer-pool-size=128M
innodb-log-file-size=64M
$user_line
EOF
  cat > "$dir/ctl" <<EOF
#!/bin/sh
# start|stop|restart the sandbox server $n (the agent's service commands)
case "\$1" in
  start) [ -f "$dir/mariadbd.pid" ] && kill -0 "\$(cat "$dir/mariadbd.pid")" 2>/dev/null && exit 0
         setsid mariadbd --defaults-file="$dir/my.cnf" >>"$dir/mariadbd.out" 2>&1 </dev/null & ;;
  stop) [ -f "$dir/mariadbd.pid" ] || exit 0; pid=\$(cat "$dir/mariadbd.pid"); kill "\$pid" 2>/dev/null || exit 0
        while kill -0 "\$pid" 2>/dev/null; do sleep 0.2; done ;;
  restart) "\$0" stop && "\$0" start ;;
esac
EOF
  chmod +x "$dir/ctl"
  printf '[client]\nuser=root\nsocket=%s/mysqld.sock\n' "$dir" > "$dir/client.cnf"
  chmod 600 "$dir/client.cnf"
  if [ ! -d "$dir/data/mysql" ]; then
    local u=""; [ "$(id -u)" -eq 0 ] && u="--user=root"
    mariadb-install-db --no-defaults --datadir="$dir/data" --auth-root-authentication-method=socket $u --skip-test-db >"$dir/install.log" 2>&1 \
      || die "mariadb-install-db failed for $n: see $dir/install.log"
  fi
  "$dir/ctl" start
  for _ in $(seq 1 150); do mdb "$n" -e "SELECT 1" >/dev/null 2>&1 && return; sleep 0.2; done
  die "$n did not start: $(tail -5 "$dir/error.log")"
}

secret() { head -c 18 /dev/urandom | base64 | tr -d '/+=' ; }

up() {
  install_packages
  build
  mkdir -p "$run"; chmod 700 "$run"
  [ -f "$run/ports" ] || { for n in "${nodes[@]}"; do echo "$n $(free_port) $(free_port) $(free_port)"; done > "$run/ports"; }
  [ -f "$run/api.port" ] || free_port > "$run/api.port"
  if [ ! -f "$run/agent.password" ]; then
    secret > "$run/agent.password"; secret > "$run/manager.password"; secret > "$run/repl.password"
    secret > "$run/agent.token"; secret > "$run/api.token"
    # for curl -H @file: the token never appears on a command line
    printf 'Authorization: Bearer %s\n' "$(cat "$run/api.token")" > "$run/api.header"
    chmod 600 "$run"/*.password "$run/agent.token" "$run/api.token" "$run/api.header"
  fi
  local i=0
  while read -r n port http stream; do
    i=$((i + 1)); say "starting $n on 127.0.0.1:$port"; server_up "$n" "$port" "$i"
  done < "$run/ports"
  local primary_port; primary_port=$(awk '$1=="db1"{print $2}' "$run/ports")
  say "users and grants (sql/grants.sql) on every node, replication db2, db3 <- db1"
  local apw mpw rpw; apw=$(cat "$run/agent.password"); mpw=$(cat "$run/manager.password"); rpw=$(cat "$run/repl.password")
  # sql/grants.sql as it is, plus its reseedable-nodes grant (reseeds need it) and its per-database
  # optimize grant for the sample database shop
  local grants; grants=$(grep -E "^GRANT|^-- \[(reseedable nodes only|per database to optimize)\] GRANT " "$repo/sql/grants.sql" | sed -e 's/^-- \[[^]]*\] //' -e 's/`<database>`/`shop`/' -e "s/'localhost'/'127.0.0.1'/")
  for n in "${nodes[@]}"; do
    mdb "$n" <<EOF
SET SESSION sql_log_bin=0;
CREATE USER IF NOT EXISTS 'dbjobs_agent'@'127.0.0.1' IDENTIFIED BY '$apw';
CREATE USER IF NOT EXISTS 'dbjobs_manager'@'%' IDENTIFIED BY '$mpw';
CREATE USER IF NOT EXISTS 'repl'@'%' IDENTIFIED BY '$rpw';
GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO 'repl'@'%';
$grants
EOF
  done
  for n in db2 db3; do
    if [ -z "$(mdb "$n" -N -e 'SHOW SLAVE STATUS')" ]; then
      mdb "$n" -e "CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=$primary_port, MASTER_USER='repl', MASTER_PASSWORD='$rpw', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1; START SLAVE; SET GLOBAL read_only=1;"
    fi
  done
  if [ -z "$(mdb db1 -N -e "SHOW DATABASES LIKE 'shop'")" ]; then
    say "sample data on db1: shop.orders, 200000 rows"
    mdb db1 -e "CREATE DATABASE shop; USE shop; CREATE TABLE orders (id BIGINT AUTO_INCREMENT PRIMARY KEY, customer VARCHAR(100), total DECIMAL(10,2), at DATETIME(6)) ENGINE=InnoDB;
      INSERT INTO orders (customer, total, at) SELECT CONCAT('customer ', seq), seq % 1000, NOW(6) FROM seq_1_to_200000;"
  fi
  configs
  keys
  agents_up
  daemon_up
  status
}

api_url() { echo "http://127.0.0.1:$(cat "$run/api.port")"; }

# The demo schedule fires once, at the time written in demo.at (UTC, set when the daemon starts).
demo_cron() {
  [ -f "$run/demo.at" ] || date -u -d "+${SANDBOX_DEMO_DELAY:-20} seconds" '+%Y-%m-%dT%H:%M:%SZ' > "$run/demo.at"
  date -u -d "$(cat "$run/demo.at")" '+%-S %-M %-H %-d %-m ? %Y'
}

configs() {
  local cron; cron=$(demo_cron)
  {
    echo "# written by deploy/sandbox/sandbox.sh"
    echo "catalog:"
    echo "  dir: $run/catalog"
    echo "security:"
    echo "  keysDir: $run/keys"
    echo "receiver:"
    echo "  bind: 127.0.0.1"
    echo "  port: 0"
    echo "  advertise: 127.0.0.1"
    echo "# every command goes through the daemon (dbjobs serve); --direct bypasses it"
    echo "api:"
    echo "  url: $(api_url)"
    echo "  bind: 127.0.0.1"
    echo "  port: $(cat "$run/api.port")"
    echo "  token: {file: $run/api.token}"
    echo "scheduler:"
    echo "  timeZone: UTC"
    echo "  # the daemon starts fresh: it looks back only a minute for runs it missed, so the daily"
    echo "  # 02:00 backup does not fire at start, and the demo schedule fires even on a slow start"
    echo "  catchUp: 1m"
    echo "clusters:"
    echo "  - name: sandbox"
    echo "    credentials:"
    echo "      user: dbjobs_manager"
    echo "      password: {file: $run/manager.password}"
    echo "    agentToken: {file: $run/agent.token}"
    echo "    nodes:"
    while read -r n port http stream; do
      echo "      - {name: $n, host: 127.0.0.1, port: $port, agentPort: $http, streamPort: $stream}"
    done < "$run/ports"
    echo "    schedules:"
    echo "      # the default: a physical backup of a replica every day at 02:00"
    echo "      - {name: daily-physical-backup, task: backup-physical, cron: '0 0 2 * * ?', node: replica}"
    echo "      # the demo's: the same, once, at $(cat "$run/demo.at") (20 s after the daemon started)"
    echo "      - {name: demo-once, task: backup-physical, cron: '$cron', node: replica}"
  } > "$run/manager.yml"
  while read -r n port http stream; do
    cat > "$run/$n/agent.yml" <<EOF
# written by deploy/sandbox/sandbox.sh
node: $n
database:
  host: 127.0.0.1
  port: $port
  user: dbjobs_agent
  password: {file: $run/agent.password}
workDir: $run/$n/agent-work
stream:
  bind: 127.0.0.1
  port: $stream
http:
  bind: 127.0.0.1
  port: $http
  token: {file: $run/agent.token}
service:
  stop: [$run/$n/ctl, stop]
  start: [$run/$n/ctl, start]
  restart: [$run/$n/ctl, restart]
  timeout: 2m
reseed:
  replicationPassword: {file: $run/repl.password}
security:
  keyFile: $run/$n/agent.keys
EOF
  done < "$run/ports"
}

# one job key per node (docs/security.md): made on the manager's side, copied to the node's agent
keys() {
  dbjobs keys init --all >/dev/null
  while read -r n port http stream; do
    [ -f "$run/$n/agent.keys" ] || install -m 600 "$run/keys/$n.keys" "$run/$n/agent.keys"
  done < "$run/ports"
}

agents_up() {
  while read -r n port http stream; do
    local pidf="$run/$n/agent.pid"
    if [ -f "$pidf" ] && kill -0 "$(cat "$pidf")" 2>/dev/null; then continue; fi
    say "starting dbjobs-agent for $n (log: $run/$n/agent.log)"
    setsid java -Xmx128m -jar "$repo/agent/target/dbjobs-agent.jar" --config "$run/$n/agent.yml" >>"$run/$n/agent.log" 2>&1 </dev/null &
    echo $! > "$pidf"
  done < "$run/ports"
  # first contact creates every node's jobs table (directly: the daemon is not up yet)
  dbjobs --direct nodes >/dev/null || true
}

daemon_running() { [ -f "$run/serve.pid" ] && kill -0 "$(cat "$run/serve.pid")" 2>/dev/null; }

# dbjobs serve, as systemd starts it (deploy/systemd/dbjobs.service), with its log in serve.log
daemon_up() {
  daemon_running && return
  # a fresh demo time for a fresh daemon: the demo schedule fires 20 s after this start
  rm -f "$run/demo.at"; configs
  say "starting dbjobs serve (API $(api_url), log: $run/serve.log); schedule demo-once fires at $(cat "$run/demo.at")"
  setsid java -Xmx256m -jar "$repo/manager/target/dbjobs.jar" --config "$run/manager.yml" serve >>"$run/serve.log" 2>&1 </dev/null &
  echo $! > "$run/serve.pid"
  for _ in $(seq 1 300); do
    curl -fsS "$(api_url)/health" >/dev/null 2>&1 && return
    daemon_running || die "dbjobs serve exited: $(tail -20 "$run/serve.log")"
    sleep 0.2
  done
  die "dbjobs serve does not answer on $(api_url)/health after 60 s: $(tail -20 "$run/serve.log")"
}

dbjobs() { java -jar "$repo/manager/target/dbjobs.jar" --config "$run/manager.yml" "$@"; }

api_get() { curl -fsS -H @"$run/api.header" "$(api_url)$1"; }

status() {
  say "daemon"
  if daemon_running; then
    echo "dbjobs serve running (pid $(cat "$run/serve.pid")), API $(api_url), log $run/serve.log"
    echo "health: $(curl -fsS "$(api_url)/health" || echo 'not answering')"
    api_get /v1/schedules | sed 's/},{/}\n{/g' | sed -n 's/.*"name":"\([^"]*\)".*"cron":"\([^"]*\)".*"nextFire":\("[^"]*"\|null\).*/schedule \1 at '"'"'\2'"'"' (UTC), next fire \3/p' | tr -d '"' || true
  else
    echo "dbjobs serve is not running (start it: $0 up)"
  fi
  say "nodes"; dbjobs nodes || true
  say "recent jobs"; dbjobs jobs --limit 10 || true
}

writer_start() {
  ( while [ ! -f "$run/writer.stop" ]; do
      mdb db1 -e "INSERT INTO shop.orders (customer, total, at) VALUES ('live customer', RAND()*100, NOW(6))" 2>/dev/null || sleep 0.2
    done ) &
  echo $! > "$run/writer.pid"
}

writer_stop() { touch "$run/writer.stop"; wait "$(cat "$run/writer.pid")" 2>/dev/null || true; rm -f "$run/writer.stop"; }

checksums() {
  local n=$1
  mdb "$n" -N -e "SELECT CONCAT(TABLE_SCHEMA,'.',TABLE_NAME) FROM information_schema.TABLES WHERE TABLE_SCHEMA NOT IN ('mysql','information_schema','performance_schema','sys','replication_manager_schema') AND TABLE_TYPE='BASE TABLE' ORDER BY 1" \
    | while read -r t; do mdb "$n" -N -e "CHECKSUM TABLE $t EXTENDED"; done
}

# the demo schedule's job as "node id state" from `dbjobs jobs --json` (empty until it exists)
demo_job() {
  local key; key="schedule:sandbox:demo-once:$(date -u -d "$(cat "$run/demo.at")" '+%Y%m%dT%H%M%SZ')"
  dbjobs jobs --task backup-physical --limit 100 --json | tr -d '",' | awk -v key="$key" '
    /^  node : /{node=$3} /^  id : /{id=$3} /^  state : /{state=$3}
    /^  idempotencyKey : /{ if ($3 == key) print node, id, state }'
}

wait_for_scheduled_backup() {
  say "waiting for the schedule demo-once: it fires at $(cat "$run/demo.at") on its own and backs up a replica"
  local node="" id="" state="" deadline=$((SECONDS + 240))
  while [ $SECONDS -lt $deadline ]; do
    read -r node id state <<<"$(demo_job)" || true
    case "$state" in
      succeeded) break ;;
      failed|post-processing-failed|cancelled) die "the scheduled backup (job $id on $node) ended $state; see $run/serve.log" ;;
    esac
    sleep 2
  done
  [ "$state" = succeeded ] || die "the scheduled backup did not succeed within 4 minutes of waiting (state: ${state:-not enqueued}); see $run/serve.log"
  echo "scheduled backup landed: job $id on $node, enqueued by the daemon's scheduler"
  dbjobs jobs --node "$node" "$id" | grep -E "^(task|state|took|submitted by|idempotency key):"
}

# the lines of the daemon's /metrics a dashboard starts from: jobs by state, newest good backup
# age, agents up (the watchdog refreshes them every watchdog.interval)
metrics_excerpt() {
  local m=""
  for _ in $(seq 1 30); do
    m=$(api_get /metrics) || m=""
    grep -q '^dbjobs_backup_newest_good_age_seconds{' <<<"$m" && grep -q '^dbjobs_agent_up{' <<<"$m" && grep -q '^dbjobs_jobs{' <<<"$m" && break
    sleep 1
  done
  grep -E '^dbjobs_(jobs\{.*state="(succeeded|failed)"|backup_newest_good_age_seconds\{|agent_up\{)' <<<"$m" | grep -v ' 0\.0$' || true
  grep -E '^dbjobs_agent_up\{' <<<"$m" | grep ' 0\.0$' || true
}

demo() {
  up
  say "a writer keeps inserting into db1 (shop.orders) from now on"
  writer_start
  trap 'writer_stop' EXIT
  wait_for_scheduled_backup
  say "physical backup of db3 into the catalog, through the daemon: dbjobs backup --node db3 --type physical"
  dbjobs backup --node db3 --type physical
  dbjobs backups
  say "reseed db2 from the newest backup while the writer runs: dbjobs reseed --node db2 --method physicalbackup"
  mdb db2 -e "STOP SLAVE; SET SESSION sql_log_bin=0; DELETE FROM shop.orders WHERE id % 7 = 0;"
  echo "(db2 was broken on purpose first: replication stopped and some rows deleted locally)"
  dbjobs reseed --node db2 --method physicalbackup
  writer_stop; trap - EXIT
  local pos; pos=$(mdb db1 -N -e "SELECT @@gtid_binlog_pos")
  mdb db2 -N -e "SELECT MASTER_GTID_WAIT('$pos', 120)" >/dev/null
  say "replication state of db2"
  mdb db2 -e "SHOW SLAVE STATUS\G" | grep -E "Slave_(IO|SQL)_Running:|Seconds_Behind_Master|Gtid_IO_Pos"
  say "checksums, db1 (primary) vs db2 (reseeded)"
  diff <(checksums db1) <(checksums db2) && echo "checksums equal on every table: $(checksums db1 | wc -l) table(s), $(mdb db1 -N -e 'SELECT COUNT(*) FROM shop.orders') rows in shop.orders" \
    || die "checksums differ"
  say "the daemon's /metrics (excerpt): curl -H 'Authorization: Bearer ...' $(api_url)/metrics"
  metrics_excerpt
  status
  say "the same jobs without the daemon: dbjobs --direct jobs --task backup-physical"
  dbjobs --direct jobs --task backup-physical
  say "done. Try: java -jar manager/target/dbjobs.jar --config $run/manager.yml --help   ·   stop everything: $0 down"
}

down() {
  say "stopping the sandbox in $run"
  if daemon_running; then
    local pid; pid=$(cat "$run/serve.pid"); kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && { echo "dbjobs serve (pid $pid) did not stop within 30 s: killed"; kill -9 "$pid" 2>/dev/null || true; }
    echo "stopped dbjobs serve"
  fi
  for n in "${nodes[@]}"; do
    [ -f "$run/$n/agent.pid" ] && kill "$(cat "$run/$n/agent.pid")" 2>/dev/null || true
  done
  [ -f "$run/writer.pid" ] && kill "$(cat "$run/writer.pid")" 2>/dev/null || true
  for n in "${nodes[@]}"; do [ -x "$run/$n/ctl" ] && "$run/$n/ctl" stop || true; done
  rm -rf "$run"
  echo "removed $run"
}

case "$cmd" in
  demo) demo ;;
  up) up ;;
  status) status ;;
  down) down ;;
  *) die "usage: $0 [demo|up|status|down]" ;;
esac
