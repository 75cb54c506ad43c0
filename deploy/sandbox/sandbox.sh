#!/usr/bin/env bash
# dbjobs sandbox: a small replicated MariaDB cluster on loopback (a primary and two replicas with
# GTID replication), an agent per node and the manager, all on this machine, in ./sandbox-run.
#
#   deploy/sandbox/sandbox.sh          the demo: set everything up, take a physical backup and
#                                      reseed a replica from it while a writer inserts, then show
#                                      jobs, bytes, times, replication state and checksums
#   deploy/sandbox/sandbox.sh up       only set up (servers, agents, manager config)
#   deploy/sandbox/sandbox.sh status   nodes and recent jobs
#   deploy/sandbox/sandbox.sh down     stop and remove everything the sandbox started
#
# Needs Debian/Ubuntu packages mariadb-server, mariadb-backup, mariadb-client, a JDK 17 and Maven;
# installs the missing ones with apt-get when run as root (or with sudo). Never touches the
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
  for p in mariadb-server mariadb-client mariadb-backup openjdk-17-jdk-headless maven; do
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
  [ -f "$run/agent.password" ] || { secret > "$run/agent.password"; secret > "$run/manager.password"; secret > "$run/repl.password"; secret > "$run/agent.token"; chmod 600 "$run"/*.password "$run/agent.token"; }
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
  status
}

configs() {
  local tls="" ; : "$tls"
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
  # first contact creates every node's jobs table
  dbjobs nodes >/dev/null || true
}

dbjobs() { java -jar "$repo/manager/target/dbjobs.jar" --config "$run/manager.yml" "$@"; }

status() {
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

demo() {
  up
  say "a writer keeps inserting into db1 (shop.orders) from now on"
  writer_start
  trap 'writer_stop' EXIT
  say "physical backup of db3 into the catalog: dbjobs backup --node db3 --type physical"
  dbjobs backup --node db3 --type physical
  dbjobs backups
  say "reseed db2 from that backup while the writer runs: dbjobs reseed --node db2 --method physicalbackup"
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
  status
  say "done. Try: java -jar manager/target/dbjobs.jar --config $run/manager.yml --help   ·   stop everything: $0 down"
}

down() {
  say "stopping the sandbox in $run"
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
