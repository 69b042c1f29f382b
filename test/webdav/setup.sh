#!/usr/bin/env bash
# Sets up a real Apache httpd with mod_dav (Debian's package) on loopback for the WebDAV connector's
# integration tests and writes the credentials to an env file the tests read. Idempotent and
# non-interactive; run as root (CI too). The system apache config is left alone: the server runs
# from its own config, ServerRoot, pid file and logs under $WEBDAV_TEST_HOME.
#
#   bash test/webdav/setup.sh
#
# Environment (all optional):
#   WEBDAV_TEST_HOME  state directory (config, share, lock db, logs)  default /var/lib/content-sync-test/webdav
#   WEBDAV_TEST_PORT  port on 127.0.0.1                               default 18768
#
# Result: $WEBDAV_TEST_HOME/webdav.env with WEBDAV_URL, WEBDAV_USER, WEBDAV_PASSWORD.
set -euo pipefail

home="${WEBDAV_TEST_HOME:-/var/lib/content-sync-test/webdav}"
port="${WEBDAV_TEST_PORT:-18768}"
url="http://127.0.0.1:${port}/dav/"
user=content-sync
password=content-sync-webdav-test
modules=/usr/lib/apache2/modules

log() { echo "[webdav-setup] $*" >&2; }

# 1. Packages. Debian's policy-rc.d (where present) keeps the packaged apache2 from starting.
if [ ! -x /usr/sbin/apache2 ] || ! command -v htpasswd >/dev/null; then
  log "installing apache2"
  DEBIAN_FRONTEND=noninteractive apt-get install -y apache2 apache2-utils >/dev/null
fi

# 2. State: the share, the lock database directory, logs, the password file.
mkdir -p "$home/share" "$home/lock" "$home/logs" "$home/run"
chown -R www-data:www-data "$home/share" "$home/lock"
htpasswd -cbB "$home/htpasswd" "$user" "$password" >/dev/null 2>&1

# 3. Its own config: the modules are loaded here, not enabled in /etc/apache2.
cat >"$home/httpd.conf" <<CONF
ServerRoot "$home"
ServerName 127.0.0.1
Listen 127.0.0.1:${port}
PidFile "$home/run/httpd.pid"
ErrorLog "$home/logs/error.log"
LogLevel warn
User www-data
Group www-data
LoadModule mpm_event_module ${modules}/mod_mpm_event.so
LoadModule authn_core_module ${modules}/mod_authn_core.so
LoadModule authn_file_module ${modules}/mod_authn_file.so
LoadModule authz_core_module ${modules}/mod_authz_core.so
LoadModule authz_user_module ${modules}/mod_authz_user.so
LoadModule auth_basic_module ${modules}/mod_auth_basic.so
LoadModule mime_module ${modules}/mod_mime.so
LoadModule alias_module ${modules}/mod_alias.so
LoadModule dav_module ${modules}/mod_dav.so
LoadModule dav_fs_module ${modules}/mod_dav_fs.so
TypesConfig /etc/mime.types
AddType text/markdown .md
DavLockDB "$home/lock/DavLock"
Alias /dav "$home/share"
<Directory "$home/share">
  DAV On
  AuthType Basic
  AuthName "content-sync test"
  AuthUserFile "$home/htpasswd"
  Require valid-user
  Options None
  AllowOverride None
</Directory>
CONF

# 4. (Re)start: a running server from an earlier run is stopped first so the config above applies.
if [ -f "$home/run/httpd.pid" ] && kill -0 "$(cat "$home/run/httpd.pid")" 2>/dev/null; then
  /usr/sbin/apache2 -f "$home/httpd.conf" -k stop || true
  for _ in $(seq 1 50); do [ -f "$home/run/httpd.pid" ] || break; sleep 0.1; done
fi
mkdir -p /var/run/apache2 /var/lock/apache2 /var/log/apache2
/usr/sbin/apache2 -f "$home/httpd.conf" -k start

for _ in $(seq 1 50); do
  code="$(curl -s -o /dev/null -w '%{http_code}' -u "$user:$password" -X PROPFIND -H 'Depth: 0' "$url" || true)"
  [ "$code" = 207 ] && break
  sleep 0.2
done
[ "$code" = 207 ] || { log "apache did not answer PROPFIND with 207 (got $code)"; cat "$home/logs/error.log" >&2; exit 1; }

cat >"$home/webdav.env" <<ENV
WEBDAV_URL=${url}
WEBDAV_USER=${user}
WEBDAV_PASSWORD=${password}
ENV
log "WebDAV on ${url} (credentials in $home/webdav.env)"
