#!/usr/bin/env bash
# Sets up a real WordPress (Debian's package) for the connector's integration tests and writes the
# credentials to an env file the tests read. Idempotent and non-interactive; run as root (CI too).
#
#   bash test/wordpress/setup.sh
#
# Environment (all optional):
#   WORDPRESS_TEST_HOME  state directory (docroot, env file, server log)  default /var/lib/content-sync-test/wordpress
#   WORDPRESS_TEST_PORT  port of the PHP built-in server on 127.0.0.1     default 18765
#   WORDPRESS_TEST_DB    MariaDB database (a second site needs its own)   default content_sync_wp_test
#
# Result: $WORDPRESS_TEST_HOME/wordpress.env with WORDPRESS_URL, WORDPRESS_USER, WORDPRESS_APP_PASSWORD.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
home="${WORDPRESS_TEST_HOME:-/var/lib/content-sync-test/wordpress}"
port="${WORDPRESS_TEST_PORT:-18765}"
url="http://127.0.0.1:${port}"
docroot="$home/docroot"
db_name="${WORDPRESS_TEST_DB:-content_sync_wp_test}"
db_user=content_sync_wp
db_password=content-sync-wp-test

log() { echo "[wordpress-setup] $*" >&2; }

# 1. Packages. Debian's policy-rc.d (where present) keeps the apache2 the package pulls in from starting.
needed=()
[ -f /usr/share/wordpress/wp-settings.php ] || needed+=(wordpress)
command -v php >/dev/null || needed+=(php-cli)
if command -v php >/dev/null; then
  # Read the module list once: `php -m | grep -q` would die of SIGPIPE under pipefail.
  modules="$(php -m)"
  grep -qix mysqli <<<"$modules" || needed+=(php-mysql)
  grep -qix curl <<<"$modules" || needed+=(php-curl)
  grep -qix xml <<<"$modules" || needed+=(php-xml)
  grep -qix mbstring <<<"$modules" || needed+=(php-mbstring)
else
  needed+=(php-mysql php-curl php-xml php-mbstring)
fi
[ -x /usr/sbin/mariadbd ] || needed+=(mariadb-server)
command -v curl >/dev/null || needed+=(curl)
if [ "${#needed[@]}" -gt 0 ]; then
  log "installing ${needed[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${needed[@]}" >/dev/null
fi

# 2. MariaDB on 127.0.0.1:3306 (root over the local socket).
if ! mariadb -uroot -e 'select 1' >/dev/null 2>&1; then
  log "starting mariadbd"
  mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld 2>/dev/null || true
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
  for _ in $(seq 1 60); do mariadb -uroot -e 'select 1' >/dev/null 2>&1 && break; sleep 1; done
  mariadb -uroot -e 'select 1' >/dev/null
fi
mariadb -uroot <<SQL
CREATE DATABASE IF NOT EXISTS \`$db_name\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS '$db_user'@'127.0.0.1' IDENTIFIED BY '$db_password';
CREATE USER IF NOT EXISTS '$db_user'@'localhost' IDENTIFIED BY '$db_password';
GRANT ALL PRIVILEGES ON \`$db_name\`.* TO '$db_user'@'127.0.0.1';
GRANT ALL PRIVILEGES ON \`$db_name\`.* TO '$db_user'@'localhost';
SQL

# 3. A dedicated docroot: a copy of the package's files (PHP resolves symlinks, so ABSPATH must be a
#    real copy to load our wp-config.php rather than Debian's host-based one).
version="$(dpkg-query -W -f '${Version}' wordpress 2>/dev/null || echo unknown)"
if [ "$(cat "$home/.wordpress-version" 2>/dev/null)" != "$version" ]; then
  log "copying WordPress $version to $docroot"
  rm -rf "$docroot"
  mkdir -p "$docroot"
  cp -rL /usr/share/wordpress/. "$docroot/"
  rm -f "$docroot/wp-config.php" "$docroot/.htaccess"
  echo "$version" >"$home/.wordpress-version"
fi
mkdir -p "$docroot/wp-content/mu-plugins" "$docroot/wp-content/uploads"
cp "$here/content-sync-webhook.php" "$docroot/wp-content/mu-plugins/content-sync-webhook.php"

[ -f "$home/salt" ] || php -r 'echo bin2hex(random_bytes(32));' >"$home/salt"
salt="$(cat "$home/salt")"
cat >"$docroot/wp-config.php" <<PHP
<?php
define('DB_NAME', '$db_name');
define('DB_USER', '$db_user');
define('DB_PASSWORD', '$db_password');
define('DB_HOST', '127.0.0.1:3306');
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
foreach (['AUTH_KEY', 'SECURE_AUTH_KEY', 'LOGGED_IN_KEY', 'NONCE_KEY', 'AUTH_SALT', 'SECURE_AUTH_SALT', 'LOGGED_IN_SALT', 'NONCE_SALT'] as \$key) {
    define(\$key, \$key . '$salt');
}
\$table_prefix = 'wp_';
define('WP_HOME', '$url');
define('WP_SITEURL', '$url');
define('WP_CONTENT_DIR', __DIR__ . '/wp-content');
// Application Passwords need HTTPS unless the environment type is local.
define('WP_ENVIRONMENT_TYPE', 'local');
define('DISABLE_WP_CRON', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_DEBUG', false);
if (!defined('ABSPATH')) {
    define('ABSPATH', __DIR__ . '/');
}
require_once ABSPATH . 'wp-settings.php';
PHP

# 4. The PHP built-in server with a router for pretty permalinks.
cp "$here/router.php" "$home/router.php"
answers() { curl -fsS -o /dev/null --max-time 5 "$url/wp-login.php" 2>/dev/null; }
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
  PHP_CLI_SERVER_WORKERS=4 setsid nohup php -S "127.0.0.1:$port" -t "$docroot" "$home/router.php" \
    >>"$home/server.log" 2>&1 </dev/null &
  echo $! >"$home/php.pid"
fi

# 5. Install the site and mint an application password.
php "$here/install-site.php" "$docroot" "$url" >"$home/wordpress.env.tmp"
mv "$home/wordpress.env.tmp" "$home/wordpress.env"

for _ in $(seq 1 30); do answers && break; sleep 1; done
curl -fsS -o /dev/null --max-time 10 "$url/wp-json/" || { log "WordPress does not answer at $url/wp-json/ (see $home/server.log)"; exit 1; }
log "WordPress is ready at $url (credentials in $home/wordpress.env)"
