#!/usr/bin/env bash
# The knead package as an administrator meets it: installed with dpkg in a
# booted Debian (systemd as PID 1 in a systemd-nspawn container), its
# service started by the package, then used over HTTP: health, sign-up,
# sign-in and a signed-in call. It checks that the service runs as the
# user knead with its hardening in force, keeps its data in
# /var/lib/knead (SQLite) and, switched by its settings file, in
# PostgreSQL over the local socket; that a restart keeps sign-ins; that
# reinstalling and purging keep the data.
#
# Usage: package.sh KNEAD.DEB DEBIAN-ROOT (as root; `.ci/package` makes
# both). The root is booted read-only under a throwaway overlay, with a
# network of its own (loopback only), so nothing here changes it or
# reaches the host's ports; the container is stopped on every exit.
set -euo pipefail

deb="$(realpath "$1")"
root="$(realpath "$2")"
machine="knead-package-$$"
work="$(mktemp -d)"
passed=0
failed=0

ok() { passed=$((passed + 1)); printf 'ok - %s\n' "$1"; }
not_ok() { failed=$((failed + 1)); printf 'not ok - %s\n' "$1"; }
# check NAME COMMAND...: one check, passed when COMMAND succeeds.
check() { local name="$1"; shift; if "$@"; then ok "$name"; else not_ok "$name"; fi; }
# Stop at once: what follows would only fail for the same reason.
die() { not_ok "$1"; exit 1; }

nspawn=""
stop() {
    if [ -n "$nspawn" ] && kill -0 "$nspawn" 2>/dev/null; then
        # SIGTERM asks the container's systemd to power off cleanly.
        kill -TERM "$nspawn"
        for _ in $(seq 60); do kill -0 "$nspawn" 2>/dev/null || break; sleep 0.5; done
        kill -KILL "$nspawn" 2>/dev/null || true
        wait "$nspawn" 2>/dev/null || true
    fi
    # systemd-nspawn leaves this empty folder behind where /run is no tmpfs.
    rmdir "/run/systemd/nspawn/propagate/$machine" 2>/dev/null || true
    rm -rf "$work"
    printf 'package: %d passed, %d failed\n' "$passed" "$failed"
    if [ "$failed" != 0 ]; then exit 1; fi
}
trap stop EXIT
trap 'exit 130' INT TERM

systemd-nspawn --quiet --register=no --keep-unit --directory="$root" --volatile=overlay \
    --private-network --machine="$machine" --bind-ro="$deb:/srv/knead.deb" --console=read-only --boot \
    >"$work/console.log" 2>&1 &
nspawn=$!

# The container's PID 1 is the child of systemd-nspawn that runs systemd
# (another child sets up the container first, then leaves).
leader=""
for _ in $(seq 100); do
    child="$(cat "/proc/$nspawn/task/$nspawn/children" 2>/dev/null || true)"
    child="${child%% *}"
    if [ -n "$child" ] && [ "$(cat "/proc/$child/comm" 2>/dev/null)" = systemd ]; then
        leader="$child"
        break
    fi
    sleep 0.1
done
[ -n "$leader" ] || { cat "$work/console.log"; die "the container starts"; }

# A command inside the container, in all its namespaces.
inside() { nsenter --target "$leader" --mount --uts --ipc --net --pid --cgroup -- "$@"; }
# The host's curl in the container's network: the server listens on the
# container's own loopback.
http() { nsenter --target "$leader" --net -- curl --silent --show-error --max-time 10 "$@"; }

state="$(timeout 90 bash -c "until [ -S /proc/$leader/root/run/systemd/private ]; do sleep 0.2; done
    nsenter --target $leader --mount --pid -- systemctl is-system-running --wait" || true)"
case "$state" in
    running | degraded) ok "the container boots ($state)" ;;
    *) cat "$work/console.log"; die "the container boots (systemd says: ${state:-nothing})" ;;
esac

# The server answers GET /health with 200 (after a start, within 30 s).
healthy() {
    for _ in $(seq 60); do
        [ "$(http --output /dev/null --write-out '%{http_code}' http://127.0.0.1:8080/health 2>/dev/null)" = 200 ] &&
            return 0
        sleep 0.5
    done
    inside journalctl --unit knead --no-pager --lines 20 >&2
    return 1
}
# status METHOD PATH [BODY]: the answer's status; cookies in $work/jar.
status() {
    local extra=()
    [ $# -ge 3 ] && extra=(--header 'Content-Type: application/json' --data "$3")
    http --request "$1" --cookie "$work/jar" --cookie-jar "$work/jar" --output "$work/body" \
        --write-out '%{http_code}' "${extra[@]}" "http://127.0.0.1:8080$2"
}
password='a long walk by the quiet harbour 42'
account() { printf '{"email":"%s","password":"%s","role":"patient"}' "$1" "$password"; }
credentials() { printf '{"email":"%s","password":"%s"}' "$1" "$password"; }
# Sign EMAIL up and in; then GET /api/v1/me with the cookie.
signs_up() {
    rm -f "$work/jar"
    [ "$(status POST /api/v1/accounts "$(account "$1")")" = 202 ] || { printf '%s\n' "$(cat "$work/body")" >&2; return 1; }
    signs_in "$1"
}
signs_in() {
    rm -f "$work/jar"
    [ "$(status POST /api/v1/sign-in "$(credentials "$1")")" = 200 ] || { printf '%s\n' "$(cat "$work/body")" >&2; return 1; }
    [ "$(status GET /api/v1/me)" = 200 ] && grep -q '"role":"patient"' "$work/body"
}

# dpkg, its output shown only when it fails.
dpkg_() { inside dpkg "$@" >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log" >&2; return 1; }; }

check "dpkg installs the package" dpkg_ -i /srv/knead.deb
# ${Conffiles} is dpkg-query's own field syntax, not the shell's.
# shellcheck disable=SC2016
conffile() { [[ "$(inside dpkg-query -W -f '${Conffiles}' knead)" == *" /etc/default/knead "* ]]; }
check "the settings file is a conffile" conffile
check "only root reads the settings file" \
    test "$(inside stat -c '%U %a' /etc/default/knead)" = "root 600"
check "a system user knead without a shell" \
    test "$(inside getent passwd knead | cut -d: -f7)" = /usr/sbin/nologin
check "systemd-analyze verify finds nothing to say" \
    test -z "$(inside systemd-analyze verify --man=no knead.service 2>&1)"
exposure="$(inside systemd-analyze security --no-pager knead.service | sed -n 's/.*exposure level for knead.service: \([0-9.]*\).*/\1/p')"
check "systemd-analyze security rates the exposure $exposure (at most 2.0)" \
    awk -v e="${exposure:-99}" 'BEGIN { exit !(e <= 2.0) }'
check "the package started the service" inside systemctl is-active --quiet knead
check "GET /health answers 200" healthy
check "signing up, in and a signed-in call work (SQLite)" signs_up first@example.org

pid="$(inside systemctl show --property MainPID --value knead)"
check "the server runs as the user knead" \
    test "$(inside stat -c %U "/proc/$pid")" = knead
check "the server has no capabilities, no new privileges and a system call filter" \
    inside grep -q -z -P 'CapEff:\t0000000000000000\n(.|\n)*NoNewPrivs:\t1\nSeccomp:\t2\n' "/proc/$pid/status"
check "/var/lib/knead is the knead user's alone" \
    test "$(inside stat -c '%U %a' /var/lib/knead)" = "knead 700"
check "the database and its write-ahead log are in /var/lib/knead" \
    inside test -s /var/lib/knead/server.sqlite3 -a -e /var/lib/knead/server.sqlite3-wal

inside systemctl restart knead
still_signed_in() { healthy && [ "$(status GET /api/v1/me)" = 200 ]; }
check "after a restart, the sign-in still works" still_signed_in

# PostgreSQL on the same machine, over its socket, the role signed in by
# the system user's name (peer authentication), as the settings file says.
inside runuser -u postgres -- createuser knead
inside runuser -u postgres -- createdb --owner knead knead
inside sh -c 'echo "KNEAD_DATABASE_URL=postgres://knead@localhost/knead?host=/run/postgresql" >>/etc/default/knead'
inside systemctl restart knead
check "on PostgreSQL over the socket: healthy" healthy
check "on PostgreSQL: the account kept in SQLite is not there" \
    test "$(status POST /api/v1/sign-in "$(credentials first@example.org)")" = 401
check "on PostgreSQL: signing up, in and a signed-in call work" signs_up second@example.org
check "on PostgreSQL: the account is in the database" \
    test "$(inside runuser -u postgres -- psql --dbname knead --tuples-only --no-align \
        --command "SELECT email FROM accounts")" = second@example.org

# Installing again (as an upgrade does) keeps the changed settings and the
# data, and the service comes back.
check "dpkg installs the package again" dpkg_ -i /srv/knead.deb
check "the changed settings file is kept" inside grep -q '^KNEAD_DATABASE_URL=' /etc/default/knead
check "the service runs again" healthy
check "the account is still there" signs_in second@example.org

check "dpkg purges the package" dpkg_ --purge knead
stopped() { ! inside systemctl is-active --quiet knead; }
check "the service is stopped" stopped
check "the settings file is gone" inside test ! -e /etc/default/knead
check "the data and the user are kept" inside sh -c 'test -s /var/lib/knead/server.sqlite3 && getent passwd knead >/dev/null'
