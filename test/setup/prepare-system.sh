#!/usr/bin/env bash
# The system prerequisites of the test suites, prepared in one place: `.ci/run` runs it before
# `npm test`, and vitest's global setup (test/setup/system-global-setup.ts) runs it once before the
# suites that need it, so `npm ci && npm test` works on a fresh machine. Idempotent and fast when
# everything is there; installs with apt only as root (CI and this project's machines), and otherwise
# says what is missing.
#
#   bash test/setup/prepare-system.sh [redis] [chromium] [promtool] [wordpress] [wordpress-e2e] [webdav] [mediawiki]
#
# No argument means all of them.
#   redis          redis-server on PATH, unless a Redis already answers at $REDIS_URL (default :6379)
#   chromium       Debian's chromium for the status page's browser test (or set CHROMIUM_PATH)
#   promtool       Debian's prometheus package, for `promtool check rules` on the alert rules
#   wordpress      the real WordPress of the connector's integration suite (test/wordpress/setup.sh)
#   wordpress-e2e  a second one for the end-to-end suite (own home, port and database)
#   webdav         a real Apache httpd with mod_dav for the WebDAV connector (test/webdav/setup.sh)
#   mediawiki      a real private MediaWiki (SQLite, PHP's server) for its connector (test/mediawiki/setup.sh)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
wordpress_setup="$here/../wordpress/setup.sh"
export DEBIAN_FRONTEND=noninteractive

wanted=("$@")
[ "${#wanted[@]}" -gt 0 ] || wanted=(redis chromium promtool wordpress wordpress-e2e webdav mediawiki)
log() { echo "[prepare-system] $*" >&2; }
is_root() { [ "$(id -u)" = 0 ]; }

apt_updated=0
apt_install() {
  if ! is_root; then
    log "missing: $* (install them with apt-get as root, or run this script as root)"
    return 1
  fi
  if [ "$apt_updated" = 0 ]; then apt-get update -qq; apt_updated=1; fi
  log "installing $*"
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

redis_answers() {
  command -v redis-cli >/dev/null && redis-cli -u "${REDIS_URL:-redis://127.0.0.1:6379}" ping >/dev/null 2>&1
}

# A WordPress is ready when its env file names a site that accepts the credentials in it.
wordpress_ready() {
  local home="$1" url user password
  [ -f "$home/wordpress.env" ] || return 1
  url="$(sed -n 's/^WORDPRESS_URL=//p' "$home/wordpress.env")"
  user="$(sed -n 's/^WORDPRESS_USER=//p' "$home/wordpress.env")"
  password="$(sed -n 's/^WORDPRESS_APP_PASSWORD=//p' "$home/wordpress.env")"
  [ -n "$url" ] && curl -fsS -o /dev/null --max-time 10 -u "$user:$password" "$url/wp-json/wp/v2/users/me" 2>/dev/null
}

status=0
for what in "${wanted[@]}"; do
  case "$what" in
    redis)
      # The tests' global setup starts redis-server on a free port when none answers.
      redis_answers || command -v redis-server >/dev/null || apt_install redis-server || status=1
      ;;
    chromium)
      [ -n "${CHROMIUM_PATH:-}" ] || command -v chromium >/dev/null || apt_install chromium || status=1
      ;;
    promtool)
      command -v promtool >/dev/null || apt_install prometheus || status=1
      ;;
    wordpress)
      home="${WORDPRESS_TEST_HOME:-/var/lib/content-sync-test/wordpress}"
      wordpress_ready "$home" || { is_root && bash "$wordpress_setup"; } || {
        log "the WordPress suite needs $wordpress_setup to succeed (as root)"
        status=1
      }
      ;;
    wordpress-e2e)
      home="${WORDPRESS_E2E_HOME:-/var/lib/content-sync-test/wordpress-e2e}"
      wordpress_ready "$home" || {
        is_root && WORDPRESS_TEST_HOME="$home" WORDPRESS_TEST_PORT="${WORDPRESS_E2E_PORT:-18766}" \
          WORDPRESS_TEST_DB=content_sync_wp_e2e bash "$wordpress_setup"
      } || {
        log "the end-to-end WordPress needs $wordpress_setup to succeed (as root)"
        status=1
      }
      ;;
    webdav)
      # The script is idempotent and quick once Apache answers; it needs root to install apache2.
      if is_root; then
        bash "$here/../webdav/setup.sh" || { log "the WebDAV suite needs test/webdav/setup.sh to succeed"; status=1; }
      else
        log "the WebDAV suite needs test/webdav/setup.sh to run as root"
        status=1
      fi
      ;;
    mediawiki)
      if is_root; then
        bash "$here/../mediawiki/setup.sh" || { log "the MediaWiki suite needs test/mediawiki/setup.sh to succeed"; status=1; }
      else
        log "the MediaWiki suite needs test/mediawiki/setup.sh to run as root"
        status=1
      fi
      ;;
    *)
      log "unknown prerequisite: $what"
      exit 2
      ;;
  esac
done
exit "$status"
