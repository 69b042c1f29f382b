#!/usr/bin/env bash
# Sets up a real, private MediaWiki (Debian's package, SQLite) for the connector's integration tests
# and writes bot-password credentials to an env file the tests read. Idempotent and non-interactive;
# run as root (CI too).
#
#   bash test/mediawiki/setup.sh
#
# Environment (all optional):
#   MEDIAWIKI_TEST_HOME  state directory (LocalSettings.php, SQLite, env file, log)  default /var/lib/content-sync-test/mediawiki
#   MEDIAWIKI_TEST_PORT  port of the PHP built-in server on 127.0.0.1               default 18767
#
# Result: $MEDIAWIKI_TEST_HOME/mediawiki.env with MEDIAWIKI_API_URL, MEDIAWIKI_BOT_USER,
# MEDIAWIKI_BOT_PASSWORD (read-only grant, for the connector) and MEDIAWIKI_EDITOR_USER,
# MEDIAWIKI_EDITOR_PASSWORD (edit/move/delete grants, for the tests to change the wiki).
set -euo pipefail

home="${MEDIAWIKI_TEST_HOME:-/var/lib/content-sync-test/mediawiki}"
port="${MEDIAWIKI_TEST_PORT:-18767}"
url="http://127.0.0.1:${port}"
ip=/usr/share/mediawiki
admin=Admin

log() { echo "[mediawiki-setup] $*" >&2; }

# 1. Packages.
needed=()
[ -f "$ip/api.php" ] || needed+=(mediawiki)
command -v php >/dev/null || needed+=(php-cli)
if command -v php >/dev/null; then
  # Read the module list once: `php -m | grep -q` would die of SIGPIPE under pipefail.
  modules="$(php -m)"
  grep -qix pdo_sqlite <<<"$modules" || needed+=(php-sqlite3)
  grep -qix intl <<<"$modules" || needed+=(php-intl)
  grep -qix mbstring <<<"$modules" || needed+=(php-mbstring)
  grep -qix xml <<<"$modules" || needed+=(php-xml)
else
  needed+=(php-sqlite3 php-intl php-mbstring php-xml)
fi
command -v curl >/dev/null || needed+=(curl)
if [ "${#needed[@]}" -gt 0 ]; then
  log "installing ${needed[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${needed[@]}" >/dev/null
fi

# 2. Install once into our own home; MW_CONFIG_FILE points the package's code at our LocalSettings.php
#    (Debian's /usr/share/mediawiki/LocalSettings.php is a symlink into /var/lib/mediawiki).
mkdir -p "$home/data"
[ -f "$home/admin-password" ] || php -r 'echo "Adm-" . bin2hex(random_bytes(12));' >"$home/admin-password"
export MW_CONFIG_FILE="$home/LocalSettings.php"
if [ ! -f "$home/LocalSettings.php" ]; then
  log "installing MediaWiki into $home"
  rm -rf "$home/data" "$home.tmp-conf" && mkdir -p "$home/data" "$home.tmp-conf"
  php "$ip/maintenance/install.php" --dbtype=sqlite --dbpath="$home/data" --dbname=wiki \
    --server="$url" --scriptpath="" --confpath="$home.tmp-conf" --lang=en \
    --pass="$(cat "$home/admin-password")" "Content Sync Test Wiki" "$admin" >"$home/install.log" 2>&1 ||
    { log "install.php failed (see $home/install.log)"; exit 1; }
  cat "$home.tmp-conf/LocalSettings.php" >"$home/LocalSettings.php.tmp"
  rm -rf "$home.tmp-conf"
  cat >>"$home/LocalSettings.php.tmp" <<'PHP'

# content-sync test settings: a private wiki (readapidenied for anonymous readers), bot passwords on,
# no rate limits or job-queue delays in the way of the tests.
$wgGroupPermissions['*']['read'] = false;
$wgGroupPermissions['*']['edit'] = false;
$wgGroupPermissions['*']['createaccount'] = false;
$wgEnableBotPasswords = true;
$wgRateLimits = [];
$wgJobRunRate = 1;
$wgRCMaxAge = 90 * 86400;
PHP
  mv "$home/LocalSettings.php.tmp" "$home/LocalSettings.php"
fi

# 3. Bot passwords: one read-only for the connector, one that may edit, move and delete for the tests.
#    createBotPassword.php refuses an existing one; the stored password stays valid then.
bot_password() {
  local appid="$1" grants="$2" file="$home/bot-$1"
  [ -f "$file" ] || php -r 'echo bin2hex(random_bytes(16));' >"$file"
  if ! php "$ip/maintenance/createBotPassword.php" --appid="$appid" --grants="$grants" "$admin" "$(cat "$file")" \
    >"$home/bot-$appid.log" 2>&1; then
    grep -qi "exist" "$home/bot-$appid.log" || { log "createBotPassword $appid failed (see $home/bot-$appid.log)"; exit 1; }
  fi
}
bot_password sync basic
bot_password editor basic,highvolume,editpage,createeditmovepage,delete

# 4. The PHP built-in server.
answers() { curl -fsS -o /dev/null --max-time 5 "$url/api.php?action=query&meta=siteinfo&format=json" 2>/dev/null; }
# Only a live process that is still our server counts: a stale pid file may name a reused pid.
pid_alive() {
  local cmdline
  cmdline="$(tr '\0' ' ' <"/proc/$(cat "$home/php.pid" 2>/dev/null)/cmdline" 2>/dev/null)" || return 1
  [[ "$cmdline" == *"-S 127.0.0.1:$port "* ]]
}
if ! pid_alive || ! answers; then
  # setsid made the server (and its PHP_CLI_SERVER_WORKERS children) a process group of its own.
  if pid_alive; then kill -- "-$(cat "$home/php.pid")" || true; sleep 1; fi
  log "starting php -S 127.0.0.1:$port"
  MW_CONFIG_FILE="$home/LocalSettings.php" PHP_CLI_SERVER_WORKERS=4 setsid nohup \
    php -S "127.0.0.1:$port" -t "$ip" >>"$home/server.log" 2>&1 </dev/null &
  echo $! >"$home/php.pid"
fi
for _ in $(seq 1 30); do answers && break; sleep 1; done
answers || { log "MediaWiki does not answer at $url/api.php (see $home/server.log)"; exit 1; }

cat >"$home/mediawiki.env.tmp" <<ENV
MEDIAWIKI_API_URL=$url/api.php
MEDIAWIKI_BOT_USER=$admin@sync
MEDIAWIKI_BOT_PASSWORD=$(cat "$home/bot-sync")
MEDIAWIKI_EDITOR_USER=$admin@editor
MEDIAWIKI_EDITOR_PASSWORD=$(cat "$home/bot-editor")
ENV
mv "$home/mediawiki.env.tmp" "$home/mediawiki.env"
log "MediaWiki is ready at $url (credentials in $home/mediawiki.env)"
