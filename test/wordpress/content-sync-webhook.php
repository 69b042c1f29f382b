<?php
/*
 * Plugin Name: content-sync webhook
 * Description: Tells content-sync which posts changed. Drop into wp-content/mu-plugins/.
 *
 * Configure in wp-config.php (constants win) or through the REST settings endpoint:
 *   CONTENT_SYNC_WEBHOOK_URL     e.g. https://sync.example.com/webhooks/<source id>
 *   CONTENT_SYNC_WEBHOOK_SECRET  the secret the source's webhook secret env var holds
 *
 * Each request is a POST with a JSON body {"action": "updated"|"trashed"|"deleted", "post_type": "post",
 * "id": 123} and the headers x-content-sync-timestamp (unix seconds) and x-content-sync-signature
 * ("sha256=" + hex HMAC-SHA256 of "<timestamp>.<raw body>" keyed with the secret).
 */

add_action('init', function () {
    foreach (['content_sync_webhook_url', 'content_sync_webhook_secret'] as $name) {
        register_setting('general', $name, ['type' => 'string', 'show_in_rest' => true, 'default' => '']);
    }
});

function content_sync_webhook_setting($constant, $option) {
    return defined($constant) ? constant($constant) : get_option($option, '');
}

function content_sync_webhook_send($action, $post) {
    $url = content_sync_webhook_setting('CONTENT_SYNC_WEBHOOK_URL', 'content_sync_webhook_url');
    $secret = content_sync_webhook_setting('CONTENT_SYNC_WEBHOOK_SECRET', 'content_sync_webhook_secret');
    if (!$url || !$secret || !$post || wp_is_post_revision($post) || wp_is_post_autosave($post)
        || $post->post_status === 'auto-draft' || !is_post_type_viewable($post->post_type)) {
        return;
    }
    $body = wp_json_encode(['action' => $action, 'post_type' => $post->post_type, 'id' => $post->ID]);
    $timestamp = (string) time();
    wp_remote_post($url, [
        'timeout' => 3,
        'headers' => [
            'content-type' => 'application/json',
            'x-content-sync-timestamp' => $timestamp,
            'x-content-sync-signature' => 'sha256=' . hash_hmac('sha256', $timestamp . '.' . $body, $secret),
        ],
        'body' => $body,
    ]);
}

add_action('save_post', function ($id, $post) {
    content_sync_webhook_send($post->post_status === 'trash' ? 'trashed' : 'updated', $post);
}, 10, 2);
// deleted_post runs after the row is gone, so the post is captured just before.
add_action('before_delete_post', function ($id, $post) {
    content_sync_webhook_send('deleted', $post);
}, 10, 2);
