// Talks to the quickstart's typed sockets with the npm ws client, from
// what the AsyncAPI document says: every message the chat's receive
// operation lists is sent and gets its documented answer, an invalid one
// gets the documented error message (the socket stays open), and the
// echo returns text and binary as they were sent.
// Usage: node asyncapi-socket.mjs BASE
import WebSocket from "ws";
import { check, fail, main, ok, withTimeout } from "./check.mjs";

const [base] = process.argv.slice(2);
const guard = 10000;
const wsBase = base.replace(/^http/, "ws");

// client opens a socket and queues what arrives.
function client(path) {
  const ws = new WebSocket(wsBase + path);
  const queue = [];
  let wake = null;
  ws.on("message", (data, binary) => { queue.push({ data, binary }); if (wake) wake(); });
  const closed = new Promise((resolve) => ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() })));
  const next = async (what) => {
    while (queue.length === 0) await withTimeout(new Promise((r) => { wake = r; }), guard, what);
    return queue.shift();
  };
  // nextJSON skips messages until one passes keep.
  const until = async (what, keep) => {
    for (;;) {
      const m = JSON.parse((await next(what)).data.toString());
      if (keep(m)) return m;
    }
  };
  return { ws, next, until, closed, open: withTimeout(new Promise((r, j) => { ws.on("open", r); ws.on("error", j); }), guard, "open " + path) };
}

await main(async () => {
  const doc = await (await fetch(`${base}/asyncapi.json`)).json();
  // An operation's messages by their names: channel message, then the
  // component it refers to.
  const names = (op) => doc.operations[op].messages.map((m) => {
    const [, , channel, , key] = m.$ref.split("/");
    const comp = doc.channels[channel].messages[key].$ref.split("/").pop();
    return doc.components.messages[comp].name;
  });
  check("the document lists the chat's incoming messages", ["message", "join", "leave"], names("chatReceive"));
  check("the document lists the chat's outgoing messages", ["message", "presence", "error"], names("chatSend"));
  check("the document says an invalid message is answered with error", true, /answered with the "error" message/.test(doc.channels.chat.description));

  const address = doc.channels.chat.address;
  const ada = client(`${address}?nick=ada&room=lobby`);
  await ada.open;
  const welcome = await ada.until("welcome", (m) => m.type === "welcome");
  check("presence: the welcome lists the members", ["ada"], welcome.members);

  // message
  ada.ws.send(JSON.stringify({ type: "message", text: "hello from ws" }));
  const said = await ada.until("message", (m) => m.type === "message");
  check("message in: the room hears it as a message", { nick: "ada", text: "hello from ws", room: "lobby" }, { nick: said.nick, text: said.text, room: said.room });

  // invalid: a text over 500 characters, and an unknown type
  ada.ws.send(JSON.stringify({ type: "message", text: "x".repeat(501) }));
  const tooLong = await ada.until("error", (m) => m.type === "error");
  check("invalid message (text too long): the documented error message", "message longer than 500 characters, not sent", tooLong.text);
  ada.ws.send(JSON.stringify({ type: "dance" }));
  const unknown = await ada.until("error", (m) => m.type === "error");
  check("invalid message (unknown type): an error message naming the types", true, unknown.text.includes('"type" must be one of "message", "join", "leave"'));
  ada.ws.send("{not json");
  const notJSON = await ada.until("error", (m) => m.type === "error");
  check("invalid message (not JSON): an error message", true, notJSON.text.startsWith("invalid message: not JSON"));

  // join: move to another room
  ada.ws.send(JSON.stringify({ type: "join", room: "dev" }));
  const moved = await ada.until("welcome in dev", (m) => m.type === "welcome");
  check("join in: presence in the new room", { room: "dev", members: ["ada"] }, { room: moved.room, members: moved.members });
  ada.ws.send(JSON.stringify({ type: "join", room: "Not A Room" }));
  const badRoom = await ada.until("error", (m) => m.type === "error");
  check("invalid join (room against its pattern): an error message naming the field", true, badRoom.text.includes("message.room"));

  // leave: the socket closes with 1000
  ada.ws.send(JSON.stringify({ type: "leave" }));
  const closed = await withTimeout(ada.closed, guard, "close after leave");
  check("leave in: the server closes with 1000", 1000, closed.code);

  // The echo: text and binary come back as they were.
  const echo = client(doc.channels.echo.address);
  await echo.open;
  echo.ws.send("plain text, not JSON");
  const t = await echo.next("echo text");
  check("echo: text comes back as text", { binary: false, data: "plain text, not JSON" }, { binary: t.binary, data: t.data.toString() });
  echo.ws.send(Buffer.from([0, 1, 2, 255]));
  const b = await echo.next("echo binary");
  check("echo: binary comes back as binary", { binary: true, data: [0, 1, 2, 255] }, { binary: b.binary, data: [...b.data] });
  echo.ws.close(1000);
  check("echo: closed with 1000", 1000, (await withTimeout(echo.closed, guard, "echo close")).code);

  // The handshake is validated before the upgrade: a bad room is a 400.
  const bad = new WebSocket(`${wsBase}${address}?nick=ada&room=NO`);
  const status = await withTimeout(new Promise((resolve) => {
    bad.on("unexpected-response", (_req, res) => resolve(res.statusCode));
    bad.on("open", () => resolve(101));
    bad.on("error", () => {});
  }), guard, "refused handshake");
  check("a bad handshake is refused before the upgrade", 400, status);
  if (status === 101) fail("the bad handshake was upgraded");
  else ok("no socket was opened for it");
});
// A refused handshake leaves the ws client's request socket to the
// agent's keep-alive; nothing is left to wait for.
process.exit();
