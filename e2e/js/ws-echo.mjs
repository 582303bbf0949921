// The npm `ws` client against the quickstart's /ws echo, with and without
// permessage-deflate, plus the close codes a misbehaving client earns.
// Usage: node ws-echo.mjs ws://127.0.0.1:PORT/ws
import WebSocket from "ws";
import { check, fail, main, ok, withTimeout } from "./check.mjs";

const url = process.argv[2];
const guard = 15000;

function open(options) {
  const ws = new WebSocket(url, options);
  const inbox = [];
  const waiters = [];
  ws.on("message", (data, isBinary) => {
    const m = { data: Buffer.from(data), isBinary };
    const w = waiters.shift();
    if (w) w(m);
    else inbox.push(m);
  });
  const closed = new Promise((resolve) => ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() })));
  const opened = new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  const next = () => withTimeout(inbox.length ? Promise.resolve(inbox.shift()) : new Promise((r) => waiters.push(r)), guard, "a message");
  return { ws, opened: withTimeout(opened, guard, "open"), next, closed: withTimeout(closed, guard, "close") };
}

async function echoRound(label, options, wantDeflate) {
  const c = open(options);
  await c.opened;
  check(`${label}: permessage-deflate negotiated = ${wantDeflate}`, wantDeflate, c.ws.extensions.includes("permessage-deflate"));

  c.ws.send("hello hyperlane");
  let m = await c.next();
  check(`${label}: text echo`, ["hello hyperlane", false], [m.data.toString(), m.isBinary]);

  const big = "compress me please ".repeat(5000);
  c.ws.send(big);
  m = await c.next();
  check(`${label}: ${big.length}-byte text echo`, true, m.data.toString() === big);

  const bin = Buffer.from([0, 1, 2, 253, 254, 255]);
  c.ws.send(bin);
  m = await c.next();
  check(`${label}: binary echo stays binary`, [true, true], [m.isBinary, m.data.equals(bin)]);

  c.ws.close(1000, "done");
  const closed = await c.closed;
  check(`${label}: close handshake answered with 1000`, 1000, closed.code);
}

await main(async () => {
  await echoRound("ws with deflate", { perMessageDeflate: true }, true);
  await echoRound("ws without deflate", { perMessageDeflate: false }, false);

  {
    const c = open({ perMessageDeflate: false });
    await c.opened;
    c.ws.send(Buffer.alloc((1 << 20) + 1, 97));
    const closed = await c.closed;
    check("message over 1 MiB closes with 1009", 1009, closed.code);
  }
  {
    const c = open({ perMessageDeflate: false });
    await c.opened;
    c.ws.send(Buffer.from([0x68, 0x69, 0xff, 0xfe]), { binary: false });
    const closed = await c.closed;
    check("text frame with invalid UTF-8 closes with 1007", 1007, closed.code);
  }
  {
    const c = open({ perMessageDeflate: false });
    await c.opened;
    const pong = withTimeout(new Promise((r) => c.ws.once("pong", r)), guard, "pong");
    c.ws.ping("are you there");
    const data = await pong;
    check("server answers a ping with its payload", "are you there", data.toString());
    c.ws.close(4000, "custom");
    check("client's own close code is echoed", 4000, (await c.closed).code);
  }
  {
    const c = new WebSocket(url, { headers: { Origin: "https://evil.example" } });
    c.on("error", () => {}); // the refusal is the expected outcome
    const res = await withTimeout(
      new Promise((resolve) => c.on("unexpected-response", (_req, r) => resolve(r.statusCode)).on("open", () => resolve(101))),
      guard,
      "cross-origin answer",
    );
    if (res === 403) ok("cross-origin handshake refused with 403");
    else fail("cross-origin handshake refused with 403", `status ${res}`);
    c.terminate();
  }
});
