export { ADMIN_COOKIE } from "./http/admin-auth.js";
export { buildHttpServer, type HttpServerOptions } from "./http/http-server.js";
export { createMetricsRegistry } from "./http/metrics.js";
export { type SchedulerApp, type SchedulerAppOptions, startSchedulerApp } from "./scheduler-app.js";
