<?php
/*
 * Installs the test site without a browser and prints the credentials as KEY=value lines.
 * Usage: php install-site.php <docroot> <site-url>
 * Idempotent: an installed site is kept; the "content-sync-tests" application password is
 * replaced on every run because WordPress stores only its hash.
 */
if ($argc < 3) {
    fwrite(STDERR, "usage: php install-site.php <docroot> <site-url>\n");
    exit(2);
}
[$docroot, $siteUrl] = [$argv[1], $argv[2]];
$parts = parse_url($siteUrl);
$_SERVER['HTTP_HOST'] = $parts['host'] . (isset($parts['port']) ? ':' . $parts['port'] : '');
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';
define('WP_INSTALLING', true);

require $docroot . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';

// The test machine has no MTA: skip the "new site" mail instead of failing to send it.
add_filter('pre_wp_mail', '__return_false');

$userName = 'content-sync-admin';
if (!is_blog_installed()) {
    $result = wp_install('content-sync test site', $userName, 'admin@example.com', false, '', wp_generate_password(24));
    if (is_wp_error($result)) {
        fwrite(STDERR, 'wp_install failed: ' . $result->get_error_message() . "\n");
        exit(1);
    }
}
// Pretty permalinks so /wp-json/ routes work, and a zone far from UTC so tests prove that
// incremental listings are not fooled by the site's local time.
update_option('permalink_structure', '/%postname%/');
update_option('timezone_string', 'Pacific/Auckland');
update_option('gmt_offset', '');
flush_rewrite_rules(false);

$user = get_user_by('login', $userName);
if (!$user) {
    fwrite(STDERR, "admin user $userName is missing\n");
    exit(1);
}
foreach (WP_Application_Passwords::get_user_application_passwords($user->ID) as $item) {
    if ($item['name'] === 'content-sync-tests') {
        WP_Application_Passwords::delete_application_password($user->ID, $item['uuid']);
    }
}
$created = WP_Application_Passwords::create_new_application_password($user->ID, ['name' => 'content-sync-tests']);
if (is_wp_error($created)) {
    fwrite(STDERR, 'application password failed: ' . $created->get_error_message() . "\n");
    exit(1);
}
echo "WORDPRESS_URL=$siteUrl\n";
echo "WORDPRESS_USER=$userName\n";
echo 'WORDPRESS_APP_PASSWORD=' . $created[0] . "\n";
