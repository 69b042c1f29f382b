import { type FSWatcher, watch } from "node:fs";
import type { Logger } from "pino";
import { pino } from "pino";
import type { ContentSyncConfig } from "../config/types.js";

export interface ConfigReloaderOptions {
  /** The file to watch. */
  file: string;
  /** Loads and validates the file (throws ConfigError on bad input). */
  load: (file: string) => Promise<ContentSyncConfig>;
  /** Called with each config that loaded successfully after a change. */
  onReload: (config: ContentSyncConfig) => void | Promise<void>;
  /** Editors write files in several steps; changes within this many ms make one reload. Default 300. */
  debounceMs?: number;
  /** Watch the file for changes (besides explicit `reload()` calls such as on SIGHUP). Default true. */
  watchFile?: boolean;
  logger?: Logger;
}

/**
 * Reloads the config on file change or on request. A config that fails validation is logged and
 * ignored: the services keep running on the last good one rather than dropping every schedule.
 */
export class ConfigReloader {
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private readonly logger: Logger;

  constructor(private readonly options: ConfigReloaderOptions) {
    this.logger = options.logger ?? pino({ level: "silent" });
    if (options.watchFile ?? true) {
      // Watching the file itself loses track of it when an editor replaces it; a rename event means
      // exactly that, so the watch is re-established after each reload.
      this.watcher = this.watch();
    }
  }

  private watch(): FSWatcher | undefined {
    try {
      const watcher = watch(this.options.file, () => this.schedule());
      watcher.on("error", () => undefined);
      return watcher;
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, "cannot watch the config file; reload with SIGHUP");
      return undefined;
    }
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.reload(), this.options.debounceMs ?? 300);
    this.timer.unref();
  }

  /** Loads the file now; resolves once applied (or rejected as invalid). Reloads never overlap. */
  reload(): Promise<void> {
    this.running = this.running.then(async () => {
      try {
        const config = await this.options.load(this.options.file);
        await this.options.onReload(config);
        this.logger.info({ file: this.options.file, sources: config.sources.length }, "config reloaded");
      } catch (error) {
        this.logger.error(
          { err: (error as Error).message },
          "config reload failed; keeping the previous config",
        );
      }
      if (this.watcher) {
        this.watcher.close();
        this.watcher = this.watch();
      }
    });
    return this.running;
  }

  close(): void {
    clearTimeout(this.timer);
    this.watcher?.close();
    this.watcher = undefined;
  }
}
