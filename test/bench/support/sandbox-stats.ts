import type { SandboxStats } from "@content-sync/intercom/sandbox";

/** The call counters of a sandbox (or sink) running in another process. */
export async function sandboxStats(url: string): Promise<SandboxStats> {
  const response = await fetch(`${url}/__sandbox/stats`);
  if (!response.ok) throw new Error(`GET /__sandbox/stats answered ${response.status}`);
  return (await response.json()) as SandboxStats;
}

/** Write calls (anything but GET) the sandbox answered, whatever the status. */
export function writeCalls(stats: SandboxStats): number {
  return Object.entries(stats.calls)
    .filter(([route]) => !route.startsWith("GET"))
    .reduce((sum, [, count]) => sum + count, 0);
}

/** Every API call the sandbox answered. */
export function totalCalls(stats: SandboxStats): number {
  return Object.values(stats.calls).reduce((sum, count) => sum + count, 0);
}
