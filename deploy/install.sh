#!/bin/sh
# Installs dbjobs on this host: the manager (dbjobs, dbjobs serve) and/or the agent
# (dbjobs-agent), their launchers, systemd units, example configurations and secrets.
# Idempotent: run it again to upgrade the jars, launchers and units; configurations and
# secrets that exist are never touched.
#
# Usage: deploy/install.sh [--manager] [--agent] [--root DIR] [--prefix DIR]
#   --manager      install the manager (default: each part whose jar is built)
#   --agent        install the agent
#   --root DIR     install into DIR instead of / (packages, tests): no users are created,
#                  no ownership is changed, systemd is not reloaded
#   --prefix DIR   where programs go (default /usr/local); the units expect /usr/local
#
# Build the jars first: mvn -B package -DskipTests   (agent/target/dbjobs-agent.jar,
# manager/target/dbjobs.jar)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
root=/
prefix=/usr/local
want_manager=0
want_agent=0
while [ $# -gt 0 ]; do
  case "$1" in
    --manager) want_manager=1 ;;
    --agent) want_agent=1 ;;
    --root) root=${2:?--root needs a directory}; shift ;;
    --prefix) prefix=${2:?--prefix needs a directory}; shift ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

manager_jar="$repo/manager/target/dbjobs.jar"
agent_jar="$repo/agent/target/dbjobs-agent.jar"
if [ $want_manager -eq 0 ] && [ $want_agent -eq 0 ]; then
  [ -f "$manager_jar" ] && want_manager=1
  [ -f "$agent_jar" ] && want_agent=1
  if [ $want_manager -eq 0 ] && [ $want_agent -eq 0 ]; then
    echo "install.sh: no jar built; run: mvn -B package -DskipTests" >&2
    exit 1
  fi
fi
for part in manager agent; do
  eval "want=\$want_$part; jar=\$${part}_jar"
  if [ "$want" -eq 1 ] && [ ! -f "$jar" ]; then
    echo "install.sh: $jar is missing; build it first: mvn -B package -DskipTests" >&2
    exit 1
  fi
done

real=0
[ "$root" = / ] && real=1
R=${root%/}
if [ $real -eq 1 ] && [ "$(id -u)" -ne 0 ]; then
  echo "install.sh: run as root (or use --root DIR to stage the files)" >&2
  exit 1
fi

say() { echo "install.sh: $*"; }

# ownership only on the real root: a staging root has no such users
own() { # own USER:GROUP PATH
  if [ $real -eq 1 ]; then chown "$1" "$2"; fi
}

# a config or secret: written only when absent
keep_or_install() { # keep_or_install SRC DEST MODE OWNER
  if [ -e "$2" ]; then
    say "kept $2"
  else
    install -m "$3" "$1" "$2"
    own "$4" "$2"
    say "wrote $2 (edit it)"
  fi
}

new_secret() { # new_secret DEST OWNER
  if [ -e "$1" ]; then
    say "kept $1"
  else
    umask 077
    head -c 32 /dev/urandom | base64 | tr -d '/+=\n' | cut -c1-40 >"$1"
    umask 022
    chmod 0640 "$1"
    own "$2" "$1"
    say "generated $1"
  fi
}

if [ $real -eq 1 ]; then
  if [ $want_manager -eq 1 ] && ! getent passwd dbjobs >/dev/null; then
    useradd --system --user-group --home-dir /var/lib/dbjobs --no-create-home \
      --shell /usr/sbin/nologin --comment "dbjobs manager" dbjobs
    say "created system user dbjobs"
  fi
  if [ $want_agent -eq 1 ] && ! getent passwd mysql >/dev/null; then
    echo "install.sh: no user mysql: install MariaDB first (the agent gives the data it restores to mysql)" >&2
    exit 1
  fi
  if [ $want_agent -eq 1 ] && ! getent passwd dbjobs-agent >/dev/null; then
    # a user of its own: the database server's user must not read the agent's keys and passwords
    useradd --system --user-group --groups mysql --home-dir /var/lib/dbjobs-agent --no-create-home \
      --shell /usr/sbin/nologin --comment "dbjobs agent" dbjobs-agent
    say "created system user dbjobs-agent (in group mysql)"
  fi
fi

install -d -m 0755 "$R$prefix/lib/dbjobs" "$R$prefix/bin" "$R$prefix/share/doc/dbjobs" \
  "$R/etc/systemd/system"
install -d -m 0755 "$R/etc/dbjobs"
install -m 0644 "$here/README.md" "$R$prefix/share/doc/dbjobs/README.md"
install -m 0644 "$repo/sql/grants.sql" "$R$prefix/share/doc/dbjobs/grants.sql"

if [ $want_manager -eq 1 ]; then
  install -m 0644 "$manager_jar" "$R$prefix/lib/dbjobs/dbjobs.jar"
  install -m 0755 "$here/bin/dbjobs" "$R$prefix/bin/dbjobs"
  install -m 0644 "$here/systemd/dbjobs.service" "$R/etc/systemd/system/dbjobs.service"
  keep_or_install "$here/manager.yml" "$R/etc/dbjobs/manager.yml" 0640 root:dbjobs
  new_secret "$R/etc/dbjobs/api.token" root:dbjobs
  new_secret "$R/etc/dbjobs/manager.password" root:dbjobs
  # the nodes' job keys (security.keysDir): dbjobs only; `dbjobs keys init --all` fills it
  install -d -m 0700 "$R/var/lib/dbjobs/keys"
  own dbjobs:dbjobs "$R/var/lib/dbjobs/keys"
  say "installed the manager: $prefix/bin/dbjobs, dbjobs.service"
fi

if [ $want_agent -eq 1 ]; then
  install -m 0644 "$agent_jar" "$R$prefix/lib/dbjobs/dbjobs-agent.jar"
  install -m 0755 "$here/bin/dbjobs-agent" "$R$prefix/bin/dbjobs-agent"
  install -m 0644 "$here/systemd/dbjobs-agent.service" "$R/etc/systemd/system/dbjobs-agent.service"
  keep_or_install "$here/agent.yml" "$R/etc/dbjobs/agent.yml" 0640 root:dbjobs-agent
  new_secret "$R/etc/dbjobs/agent.password" root:dbjobs-agent
  # the agent's state and its job key file (security.keyFile): dbjobs-agent only
  install -d -m 0700 "$R/var/lib/dbjobs-agent"
  own dbjobs-agent:dbjobs-agent "$R/var/lib/dbjobs-agent"
  if [ $real -eq 0 ] || [ -d /etc/polkit-1/rules.d ]; then
    install -d -m 0755 "$R/etc/polkit-1/rules.d"
    install -m 0644 "$here/polkit/60-dbjobs-agent.rules" "$R/etc/polkit-1/rules.d/60-dbjobs-agent.rules"
  else
    say "WARNING: polkit is not installed: as user dbjobs-agent the agent cannot run systemctl stop/start;"
    say "         install polkit (apt install polkitd) and run this again, or change service.* in agent.yml"
  fi
  say "installed the agent: $prefix/bin/dbjobs-agent, dbjobs-agent.service"
fi

# the cluster's agent token: the agents' http.token and the manager's agentToken
if [ $want_agent -eq 1 ]; then
  new_secret "$R/etc/dbjobs/agent.token" root:dbjobs-agent
else
  new_secret "$R/etc/dbjobs/agent.token" root:dbjobs
fi
if [ $want_manager -eq 1 ] && [ $want_agent -eq 1 ] && [ $real -eq 1 ]; then
  if command -v setfacl >/dev/null; then
    setfacl -m u:dbjobs:r /etc/dbjobs/agent.token
  else
    say "WARNING: both run here: let user dbjobs read /etc/dbjobs/agent.token (setfacl -m u:dbjobs:r)"
  fi
fi

if [ $real -eq 1 ] && [ -d /run/systemd/system ]; then
  systemctl daemon-reload
fi

cat <<EOT

Next steps
----------
1. Every node of a cluster and the manager share one agent token: copy /etc/dbjobs/agent.token
   from one host to the others (mode 0640).
2. Create the database users on every node, with the passwords in the generated files (the
   passwords go through a pipe, never a command line):
     printf "CREATE USER IF NOT EXISTS 'dbjobs_agent'@'localhost' IDENTIFIED BY '%s';\\n" \\
       "\$(cat /etc/dbjobs/agent.password)" | mariadb
     printf "CREATE USER IF NOT EXISTS 'dbjobs_manager'@'<manager host>' IDENTIFIED BY '%s';\\n" \\
       "\$(cat /etc/dbjobs/manager.password)" | mariadb
   then apply these grants ($prefix/share/doc/dbjobs/grants.sql), with sql_log_bin=0 on each
   node if the users are per node. Two are yours to make: optimize's per database (the
   "[per database to optimize]" line, once per database) and, only on nodes you want
   reseedable, the "[reseedable nodes only]" one:

EOT
sed 's/^/    /' "$repo/sql/grants.sql"
cat <<EOT

3. Edit /etc/dbjobs/manager.yml and/or /etc/dbjobs/agent.yml, check them (the agent's check also
   says whether the database server's user can read its secret files):
     dbjobs serve --check            dbjobs-agent --config /etc/dbjobs/agent.yml --check
5. Start:  systemctl enable --now dbjobs-agent    systemctl enable --now dbjobs
EOT
