#!/usr/bin/env bash
# A throwaway IMAP server for the mailroom's polling tests: Debian's dovecot-imapd as its own
# instance (never the machine's /etc/dovecot one) on 127.0.0.1 — plain IMAP on
# $IMAP_PORT (10143) and IMAPS on $IMAPS_PORT (10993) with a self-signed certificate made here —
# one passwd-file user, maildir under $DOVECOT_DIR. Safe to run again: a running instance of
# ours is stopped and started afresh on the same directory.
#
# stdout is only the environment the tests read, as `export` lines:
#   eval "$(.ci/dovecot.sh)"
# Everything else goes to stderr. `.ci/dovecot.sh stop` stops the instance.
set -euo pipefail

DIR=${DOVECOT_DIR:-/tmp/homeshore-dovecot}
IMAP_PORT=${IMAP_PORT:-10143}
IMAPS_PORT=${IMAPS_PORT:-10993}
USER_NAME=hs-ci
PASSWORD=hs-ci-throwaway-password  # a throwaway account on a loopback-only server
CONF=$DIR/dovecot.conf

log() { printf '%s\n' "$*" >&2; }
die() { log "dovecot.sh: $*"; exit 1; }

ours_running() { [ -f "$CONF" ] && [ -s "$DIR/run/master.pid" ] && kill -0 "$(cat "$DIR/run/master.pid")" 2>/dev/null; }
answers() { # the greeting of the plain port: "* OK ..."
  local greeting
  greeting=$(timeout 3 bash -c "exec 3<>/dev/tcp/127.0.0.1/$IMAP_PORT && head -c 4 <&3 && printf 'a LOGOUT\r\n' >&3" 2>/dev/null) || return 1
  [ "$greeting" = "* OK" ]
}
stop() {
  if ours_running; then
    doveadm -c "$CONF" stop </dev/null >/dev/null 2>&1 || kill "$(cat "$DIR/run/master.pid")" || true
    for _ in $(seq 1 50); do ours_running || break; sleep 0.1; done
  fi
}

if [ "${1:-}" = stop ]; then stop; exit 0; fi

if ! command -v dovecot >/dev/null 2>&1 || ! [ -e /usr/lib/dovecot/imap ]; then
  log "Installing dovecot-imapd"
  apt-get update -qq >&2
  # (the package may start its system instance on 143/993; ours is separate and unaffected)
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends dovecot-imapd >&2
fi
command -v dovecot >/dev/null 2>&1 || die "dovecot is not installed and could not be installed"
command -v openssl >/dev/null 2>&1 || die "openssl is needed for the self-signed certificate"

stop
mkdir -p "$DIR/run" "$DIR/state" "$DIR/mail"
chmod 755 "$DIR"

# Who the server runs as: as root, the package's own users (its login processes refuse to run
# as root) and "nobody" for the mail; as anyone else, that user for everything.
if [ "$(id -u)" = 0 ]; then
  login_user=dovenull internal_user=dovecot mail_user=nobody mail_group=$(id -gn nobody)
else
  login_user=$(id -un) internal_user=$(id -un) mail_user=$(id -un) mail_group=$(id -gn)
fi
chown "$mail_user:$mail_group" "$DIR/mail"
chmod 700 "$DIR/mail"

if ! [ -s "$DIR/cert.pem" ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1" \
    -keyout "$DIR/key.pem" -out "$DIR/cert.pem" >/dev/null 2>&1 || die "openssl could not make a certificate"
  chmod 600 "$DIR/key.pem"
fi

printf '%s:{PLAIN}%s::::::\n' "$USER_NAME" "$PASSWORD" >"$DIR/users"
chmod 644 "$DIR/users"  # read by the auth process (the internal user); a throwaway password

cat >"$CONF" <<EOF
# Written by .ci/dovecot.sh: a throwaway instance for tests; not the system's configuration.
instance_name = homeshore-ci
base_dir = $DIR/run
state_dir = $DIR/state
log_path = $DIR/dovecot.log
protocols = imap
listen = 127.0.0.1
default_login_user = $login_user
default_internal_user = $internal_user
first_valid_uid = 0
first_valid_gid = 0
auth_mechanisms = plain login
# Plain-text logins on the plain port: it listens on loopback only.
disable_plaintext_auth = no
ssl = yes
ssl_cert = <$DIR/cert.pem
ssl_key = <$DIR/key.pem
mail_location = maildir:$DIR/mail/%u
mail_uid = $mail_user
mail_gid = $mail_group
namespace inbox {
  inbox = yes
  separator = /
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $DIR/users
}
userdb {
  driver = static
  args = uid=$mail_user gid=$mail_group home=$DIR/mail/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $IMAP_PORT
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $IMAPS_PORT
    ssl = yes
  }
}
# No other listeners: nothing of this instance may take the system instance's sockets.
service auth {
  unix_listener auth-userdb {
    mode = 0600
  }
}
EOF

if answers; then
  die "something else already answers on 127.0.0.1:$IMAP_PORT (set IMAP_PORT to another port)"
fi
# Its own files for its output: the daemon would otherwise hold our stdout/stderr open, and a
# caller reading them through a pipe (`| tee`, `$(…)`) would wait for ever.
dovecot -c "$CONF" </dev/null >"$DIR/start.log" 2>&1 || {
  cat "$DIR/start.log" >&2; tail -n 20 "$DIR/dovecot.log" >&2 2>/dev/null; die "dovecot did not start"
}
for _ in $(seq 1 50); do answers && break; sleep 0.2; done
answers || { tail -n 20 "$DIR/dovecot.log" >&2 2>/dev/null; die "dovecot does not answer on 127.0.0.1:$IMAP_PORT"; }
log "dovecot answers on 127.0.0.1:$IMAP_PORT (IMAP) and :$IMAPS_PORT (IMAPS, self-signed $DIR/cert.pem)"

cat <<EOF
export MAILROOM_TEST_IMAP_HOST=127.0.0.1
export MAILROOM_TEST_IMAP_PORT=$IMAP_PORT
export MAILROOM_TEST_IMAP_SSL_PORT=$IMAPS_PORT
export MAILROOM_TEST_IMAP_USER=$USER_NAME
export MAILROOM_TEST_IMAP_PASSWORD=$PASSWORD
export MAILROOM_TEST_IMAP_CA_FILE=$DIR/cert.pem
EOF
