// Graceful shutdown seen from outside: with a WebSocket and an event
// stream open, the app gets SIGTERM; the socket must get a 1001 close
// and the stream must end after a whole event.
// Usage: node shutdown.mjs http://127.0.0.1:PORT APP_PID
import WebSocket from "ws";
import { check, main, withTimeout } from "./check.mjs";

const base = process.argv[2];
const pid = Number(process.argv[3]);
const guard = 15000;

await main(async () => {
  const ws = new WebSocket(base.replace("http", "ws") + "/ws");
  await withTimeout(new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject)), guard, "open");
  const closed = new Promise((resolve) => ws.on("close", (code, reason) => resolve([code, reason.toString()])));

  const res = await fetch(base + "/metrics/stream");
  const reader = res.body.getReader();
  const first = await reader.read();
  let body = new TextDecoder().decode(first.value);

  process.kill(pid, "SIGTERM");
  check("WebSocket closed with 1001 on shutdown", [1001, "server shutting down"], await withTimeout(closed, guard, "the close"));
  for (;;) {
    const { value, done } = await withTimeout(reader.read(), guard, "the stream to end");
    if (done) break;
    body += new TextDecoder().decode(value);
  }
  check("event stream ended cleanly after whole events", true, body.endsWith("\n\n"));
});
