// The npm `eventsource` client against the quickstart's SSE routes,
// including a reconnect that resumes from Last-Event-ID.
// Usage: node sse.mjs http://127.0.0.1:PORT
import { EventSource } from "eventsource";
import { check, main, ok, withTimeout } from "./check.mjs";

const base = process.argv[2];
const guard = 15000;

await main(async () => {
  // The server ends the first stream after id 2 (drop=2), as a failing
  // network would; EventSource reconnects on its own, sends
  // Last-Event-ID: 2 and the server resumes at 3. After 5 the server
  // answers the next reconnect with 204, which stops EventSource.
  const ids = [];
  let opens = 0;
  const es = new EventSource(`${base}/events?n=5&interval=50ms&drop=2`);
  const finished = new Promise((resolve) => {
    es.onopen = () => opens++;
    es.onmessage = (ev) => ids.push([ev.lastEventId, JSON.parse(ev.data).n]);
    es.onerror = () => {
      if (es.readyState === EventSource.CLOSED) resolve();
    };
  });
  await withTimeout(finished, guard, "the stream to finish");
  check("events 1..5 arrive once each, in order, across a reconnect", [["1", 1], ["2", 2], ["3", 3], ["4", 4], ["5", 5]], ids);
  check("two streams opened: the first and the resumed one", 2, opens);
  check("204 after the last event closes the EventSource", EventSource.CLOSED, es.readyState);
  es.close();

  // /metrics/stream: named events with live numbers, once a second.
  const ms = new EventSource(`${base}/metrics/stream`);
  const got = await withTimeout(
    new Promise((resolve) => {
      const seen = [];
      ms.addEventListener("metrics", (ev) => {
        seen.push(JSON.parse(ev.data));
        if (seen.length === 2) resolve(seen);
      });
    }),
    guard,
    "two metrics events",
  );
  ms.close();
  const [a, b] = got;
  check("metrics have goroutines, heap, uptime and requests", true,
    ["goroutines", "heap_bytes", "uptime_seconds", "requests_served"].every((k) => typeof a[k] === "number" && a[k] >= 0));
  check("uptime grows between two metrics events", true, b.uptime_seconds > a.uptime_seconds);
  ok(`metrics: ${JSON.stringify(b)}`);
});
