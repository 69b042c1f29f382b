import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { TransformInput, TransformResult } from "../transform-types.js";
import { TransformError } from "../transform-error.js";
import type { TransformOptions } from "../transform-options.js";
import type { ConversionReply, ConversionRequest, SerialisedError } from "./conversion-messages.js";

export interface ConversionPoolOptions {
  /** Threads converting at once. Default: one less than the cores, at least 1, at most 2. */
  threads?: number;
  /**
   * Heap cap of each thread (`resourceLimits.maxOldGenerationSizeMb`). Default 128 MB: a worker
   * process stays under 300 MB while a thread converts (its modules take about 55 MB; pdf.js parsing
   * a broken 45 MB PDF would otherwise take 500 MB and more before it gives up).
   */
  maxHeapMb?: number;
  /** Longest one document may convert; the thread is then stopped and replaced. Default 60 000 ms. */
  timeoutMs?: number;
  /** Module the threads call when a task names none. Default the transforms' own converter. */
  converter?: URL;
}

interface Task {
  request: Omit<ConversionRequest, "id">;
  /** Buffers that move to the thread instead of being copied (the caller gave them up). */
  transfer: ArrayBuffer[];
  resolve: (result: TransformResult) => void;
  reject: (error: unknown) => void;
}

interface Slot {
  worker: Worker;
  task: (Task & { id: number; timer: ReturnType<typeof setTimeout> }) | undefined;
}

const sourceBuild = import.meta.url.endsWith(".ts");
const DEFAULT_CONVERTER = new URL(
  sourceBuild ? "./convert-document.ts" : "./convert-document.js",
  import.meta.url,
);

/**
 * The thread's entry. Built, it is the compiled worker. From TypeScript sources (tests, `npm start`)
 * a worker cannot take `--import tsx` in its execArgv on Node 20, so a tiny ESM entry registers tsx's
 * loader in the thread first and then imports the TypeScript worker.
 */
function workerEntry(): URL {
  const worker = new URL(sourceBuild ? "./conversion-worker.ts" : "./conversion-worker.js", import.meta.url);
  if (!sourceBuild) return worker;
  // tsx's export map gives require() the .cjs build; the ESM build sits beside it.
  const tsxApi = pathToFileURL(
    createRequire(import.meta.url)
      .resolve("tsx/esm/api")
      .replace(/\.cjs$/, ".mjs"),
  );
  const code = `const { register } = await import(${JSON.stringify(tsxApi.href)}); register(); await import(${JSON.stringify(worker.href)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
}

/**
 * Worker threads for the conversions that could take a process down or stall it: DOCX, PDF and
 * large HTML. Each thread has a heap cap, each document a time limit; a thread that runs out of
 * either (or crashes) is stopped and replaced, the document fails with a TransformError
 * (`timeout` or `crashed`) and the queue goes on. Threads start on first use and never keep the
 * process alive while idle.
 */
export class ConversionPool {
  private readonly threads: number;
  private readonly maxHeapMb: number;
  private readonly timeoutMs: number;
  private readonly converter: string;
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private nextId = 1;
  private closed = false;

  constructor(options: ConversionPoolOptions = {}) {
    this.threads = options.threads ?? Math.max(1, Math.min(2, availableParallelism() - 1));
    this.maxHeapMb = options.maxHeapMb ?? 128;
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.converter = (options.converter ?? DEFAULT_CONVERTER).href;
    if (!Number.isInteger(this.threads) || this.threads < 1)
      throw new RangeError("threads must be a whole number >= 1");
  }

  /**
   * Converts one document in a thread; `converter` overrides the pool's module for this task. The
   * bytes of a binary body are copied to the thread, so the caller's buffer stays usable, unless the
   * caller passes `consumeBody`: then they move (the caller's view is left empty), which keeps a
   * 45 MB PDF from being held twice while it converts.
   */
  run(
    input: TransformInput,
    options: TransformOptions = {},
    converter?: URL,
    handOver: { consumeBody?: boolean } = {},
  ): Promise<TransformResult> {
    if (this.closed) return Promise.reject(new Error("the conversion pool is closed"));
    return new Promise<TransformResult>((resolve, reject) => {
      this.queue.push({
        request: { converter: converter?.href ?? this.converter, input, options },
        transfer: handOver.consumeBody ? transferableBytes(input) : [],
        resolve,
        reject,
      });
      this.dispatch();
    });
  }

  /** Takes no new conversions; each thread stops once nothing already handed over is left for it. */
  retire(): void {
    this.closed = true;
    this.stopIdleThreads();
  }

  private stopIdleThreads(): void {
    if (!this.closed || this.queue.length > 0) return;
    for (const slot of this.slots.filter((candidate) => candidate.task === undefined)) {
      this.slots.splice(this.slots.indexOf(slot), 1);
      void slot.worker.terminate();
    }
  }

  /** Stops every thread; queued and running conversions are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    for (const task of this.queue.splice(0)) task.reject(new Error("the conversion pool was closed"));
    await Promise.all(
      this.slots.splice(0).map(async (slot) => {
        if (slot.task) {
          clearTimeout(slot.task.timer);
          slot.task.reject(new Error("the conversion pool was closed"));
        }
        await slot.worker.terminate();
      }),
    );
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((candidate) => candidate.task === undefined);
      if (!slot && this.slots.length < this.threads) slot = this.spawn();
      if (!slot) return;
      const task = this.queue.shift();
      if (!task) return;
      const id = this.nextId++;
      const timer = setTimeout(() => this.fail(slot, this.timeoutError(task)), this.timeoutMs);
      slot.task = { ...task, id, timer };
      slot.worker.ref();
      slot.worker.postMessage({ id, ...task.request } satisfies ConversionRequest, task.transfer);
    }
  }

  private spawn(): Slot {
    const worker = new Worker(workerEntry(), {
      resourceLimits: { maxOldGenerationSizeMb: this.maxHeapMb },
      stdout: false,
      stderr: false,
    });
    worker.unref();
    const slot: Slot = { worker, task: undefined };
    worker.on("message", (reply: ConversionReply) => {
      const task = slot.task;
      if (!task || task.id !== reply.id) return;
      clearTimeout(task.timer);
      slot.task = undefined;
      worker.unref();
      if (reply.ok) task.resolve(reply.result);
      else task.reject(revive(reply.error));
      this.dispatch();
      this.stopIdleThreads();
    });
    worker.on("error", (error: Error & { code?: string }) => {
      const task = slot.task;
      const message =
        error.code === "ERR_WORKER_OUT_OF_MEMORY"
          ? `the conversion ran out of memory (heap limit ${this.maxHeapMb} MB) and was stopped`
          : `the conversion thread crashed: ${error.message}`;
      this.fail(slot, new TransformError("crashed", message, task ? errorDetails(task.request.input) : {}));
    });
    worker.on("exit", () => {
      if (this.slots.includes(slot))
        this.fail(slot, new TransformError("crashed", "the conversion thread exited"));
    });
    this.slots.push(slot);
    return slot;
  }

  /** Fails the slot's task, replaces its thread, and lets the queue go on. */
  private fail(slot: Slot, error: TransformError): void {
    const index = this.slots.indexOf(slot);
    if (index < 0) return;
    this.slots.splice(index, 1);
    const task = slot.task;
    slot.task = undefined;
    if (task) {
      clearTimeout(task.timer);
      task.reject(error);
    }
    void slot.worker.terminate();
    this.dispatch();
  }

  private timeoutError(task: Task): TransformError {
    return new TransformError(
      "timeout",
      `the conversion took longer than ${this.timeoutMs} ms and was stopped`,
      errorDetails(task.request.input),
    );
  }
}

function errorDetails(input: TransformInput): { url?: string; mediaType?: string } {
  return {
    ...(input.url === undefined ? {} : { url: input.url }),
    ...(input.body.kind === "binary" ? { mediaType: input.body.mediaType } : {}),
  };
}

function revive(error: SerialisedError): Error {
  if (error.kind === undefined) {
    const revived = new Error(error.message);
    revived.name = error.name;
    return revived;
  }
  return new TransformError(error.kind, error.message, {
    ...(error.url === undefined ? {} : { url: error.url }),
    ...(error.mediaType === undefined ? {} : { mediaType: error.mediaType }),
    ...(error.bytes === undefined ? {} : { bytes: error.bytes }),
    ...(error.maxBytes === undefined ? {} : { maxBytes: error.maxBytes }),
  });
}

/**
 * The buffer under a binary body when it can move to a thread: only a view over a whole buffer of
 * its own. A small Node Buffer is a slice of a shared pool slab; moving that would empty the
 * Buffers of unrelated callers, so it is copied like any other.
 */
function transferableBytes(input: TransformInput): ArrayBuffer[] {
  if (input.body.kind !== "binary") return [];
  const { data } = input.body;
  const buffer = data.buffer;
  if (!(buffer instanceof ArrayBuffer)) return [];
  return data.byteOffset === 0 && data.byteLength === buffer.byteLength ? [buffer] : [];
}

let shared: ConversionPool | undefined;

let sharedOptions: ConversionPoolOptions = {};

/** The process's pool, created on first use; its threads start only when a document needs one. */
export function sharedConversionPool(): ConversionPool {
  shared ??= new ConversionPool(sharedOptions);
  return shared;
}

/**
 * Sets the limits of the process's pool (the config's `conversion` block). Threads already started
 * under other limits finish what they hold and are replaced by the next document's.
 */
export function configureConversionPool(options: Omit<ConversionPoolOptions, "converter">): void {
  sharedOptions = { ...options };
  shared?.retire();
  shared = undefined;
}
