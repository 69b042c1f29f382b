<?php
/*
 * Router for PHP's built-in web server, standing in for Apache's rewrite rules: existing files
 * (static assets, wp-admin/*.php, wp-login.php) are served as they are, everything else goes
 * through index.php so pretty permalinks such as /wp-json/wp/v2/posts reach WordPress.
 */
$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
$file = $_SERVER['DOCUMENT_ROOT'] . $path;
if ($path !== '/' && file_exists($file)) {
    return false;
}
$_SERVER['SCRIPT_NAME'] = '/index.php';
$_SERVER['SCRIPT_FILENAME'] = $_SERVER['DOCUMENT_ROOT'] . '/index.php';
require $_SERVER['DOCUMENT_ROOT'] . '/index.php';
