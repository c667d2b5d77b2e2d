/**
 * Prometheus text exposition (SPEC §11) without a dependency: process metrics, an HTTP request counter and
 * a latency histogram by route pattern (never the raw URL, which may carry ids or tokens) and status, and
 * the outbox queue depth by status.
 */
import type { Stores } from "../store/types.ts";

const BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Series {
  labels: string;
  count: number;
  sum: number;
  buckets: number[];
}

export interface HTTPMetrics {
  observe(sample: { method: string; route: string; status: number; seconds: number }): void;
  render(extra: { outbox: Record<string, number> | null; startedAt: Date }): string;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

export function createHTTPMetrics(): HTTPMetrics {
  const requests = new Map<string, number>();
  const durations = new Map<string, Series>();
  return {
    observe(sample) {
      const key = `method="${escapeLabel(sample.method)}",route="${escapeLabel(sample.route)}",status="${sample.status}"`;
      requests.set(key, (requests.get(key) ?? 0) + 1);
      const durationKey = `method="${escapeLabel(sample.method)}",route="${escapeLabel(sample.route)}"`;
      let series = durations.get(durationKey);
      if (series === undefined) {
        series = { labels: durationKey, count: 0, sum: 0, buckets: BUCKETS_SECONDS.map(() => 0) };
        durations.set(durationKey, series);
      }
      series.count += 1;
      series.sum += sample.seconds;
      BUCKETS_SECONDS.forEach((bound, index) => {
        if (sample.seconds <= bound && series !== undefined) series.buckets[index] = (series.buckets[index] ?? 0) + 1;
      });
    },
    render(extra) {
      const lines: string[] = [];
      const memory = process.memoryUsage();
      const cpu = process.cpuUsage();
      lines.push("# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.");
      lines.push("# TYPE process_cpu_seconds_total counter");
      lines.push(`process_cpu_seconds_total ${(cpu.user + cpu.system) / 1e6}`);
      lines.push("# HELP process_resident_memory_bytes Resident memory size in bytes.");
      lines.push("# TYPE process_resident_memory_bytes gauge");
      lines.push(`process_resident_memory_bytes ${memory.rss}`);
      lines.push("# HELP nodejs_heap_used_bytes V8 heap used in bytes.");
      lines.push("# TYPE nodejs_heap_used_bytes gauge");
      lines.push(`nodejs_heap_used_bytes ${memory.heapUsed}`);
      lines.push("# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.");
      lines.push("# TYPE process_start_time_seconds gauge");
      lines.push(`process_start_time_seconds ${Math.floor(extra.startedAt.getTime() / 1000)}`);
      lines.push("# HELP http_requests_total HTTP requests by method, route pattern and status.");
      lines.push("# TYPE http_requests_total counter");
      for (const [labels, count] of requests) lines.push(`http_requests_total{${labels}} ${count}`);
      lines.push("# HELP http_request_duration_seconds HTTP request latency by method and route pattern.");
      lines.push("# TYPE http_request_duration_seconds histogram");
      for (const series of durations.values()) {
        BUCKETS_SECONDS.forEach((bound, index) => {
          lines.push(`http_request_duration_seconds_bucket{${series.labels},le="${bound}"} ${series.buckets[index]}`);
        });
        lines.push(`http_request_duration_seconds_bucket{${series.labels},le="+Inf"} ${series.count}`);
        lines.push(`http_request_duration_seconds_sum{${series.labels}} ${series.sum}`);
        lines.push(`http_request_duration_seconds_count{${series.labels}} ${series.count}`);
      }
      if (extra.outbox !== null) {
        lines.push("# HELP opensspr_outbox_messages Outbox messages by status (queued = waiting for delivery).");
        lines.push("# TYPE opensspr_outbox_messages gauge");
        for (const [status, count] of Object.entries(extra.outbox)) {
          lines.push(`opensspr_outbox_messages{status="${escapeLabel(status)}"} ${count}`);
        }
      }
      return `${lines.join("\n")}\n`;
    },
  };
}

export async function outboxDepth(stores: Pick<Stores, "outbox">): Promise<Record<string, number> | null> {
  try {
    return await stores.outbox.counts({});
  } catch {
    return null;
  }
}
