// Headless Chromium through playwright-core: two pages chat through
// /chat (one sends, the other shows the message as text), a page's
// EventSource receives /events, and the browser's WebSocket echoes.
// Usage: node browser.mjs BASE [chat=PATH]... [realtime=PAGE_PATH]
// chat=PATH runs the two-page chat on the page at PATH; realtime=PAGE
// runs the EventSource and WebSocket checks from that page of the app.
// Screenshots go to e2e/artifacts/.
import { chromium } from "playwright-core";
import { fileURLToPath } from "node:url";
import { check, main, ok } from "./check.mjs";

const base = process.argv[2];
const args = process.argv.slice(3);
const chatPaths = args.filter((a) => a.startsWith("chat=")).map((a) => a.slice(5));
const realtime = args.find((a) => a.startsWith("realtime="))?.slice(9);
const artifacts = fileURLToPath(new URL("../artifacts/", import.meta.url));
const guard = 15000;

async function join(page, path, nick) {
  await page.goto(base + path);
  await page.fill("#nick", nick);
  await page.click("#join");
  await page.waitForFunction(() => document.getElementById("status").textContent.startsWith("connected"), null, { timeout: guard });
}

async function chat(browser, path) {
  const ctxA = await browser.newContext();
  const ctxB = await browser.newContext();
  const alice = await ctxA.newPage();
  const bob = await ctxB.newPage();
  await join(alice, path, "alice");
  await join(bob, path, "bob");
  await alice.waitForFunction(() => document.getElementById("log").textContent.includes("bob joined"), null, { timeout: guard });
  ok(`${path}: alice sees bob join`);

  const text = `<b>bold</b> & <img src=x onerror="window.pwned=1"> "quotes"`;
  await alice.fill("#text", text);
  await alice.click("#send");
  const li = await bob.waitForSelector("#log li.msg", { timeout: guard });
  const shown = await li.evaluate((el) => ({
    nick: el.querySelector(".nick").textContent,
    text: el.lastChild.textContent,
    elements: el.querySelectorAll("b, img").length,
    pwned: window.pwned === 1,
  }));
  check(`${path}: bob's page shows alice's message as typed, as text`, { nick: "alice", text, elements: 0, pwned: false }, shown);
  const shot = path === "/" ? "chat-root" : "chat" + path.replaceAll("/", "-");
  await alice.screenshot({ path: `${artifacts}${shot}-alice.png` });
  await bob.screenshot({ path: `${artifacts}${shot}-bob.png` });

  await bob.close();
  await alice.waitForFunction(() => document.getElementById("log").textContent.includes("bob left"), null, { timeout: guard });
  ok(`${path}: alice sees bob leave when his page closes`);
  await ctxA.close();
  await ctxB.close();
}

await main(async () => {
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
  });
  try {
    for (const path of chatPaths) await chat(browser, path);

    if (!realtime) return;
    // A page of the app (the chat page, served by the app itself, so the
    // browser treats it as the server's own origin) grows a list that its
    // EventSource fills from /events.
    const page = await browser.newPage();
    await page.goto(base + realtime);
    await page.evaluate(() => {
      const ol = document.createElement("ol");
      ol.id = "events";
      document.body.prepend(ol);
      const es = new EventSource("/events?n=3&interval=50ms");
      es.onmessage = (ev) => {
        const li = document.createElement("li");
        li.textContent = ev.lastEventId + ":" + JSON.parse(ev.data).n;
        ol.append(li);
      };
      es.onerror = () => { if (es.readyState === EventSource.CLOSED) document.title = "closed"; };
    });
    await page.waitForFunction(() => document.querySelectorAll("#events li").length >= 3 && document.title === "closed", null, { timeout: guard });
    const items = await page.$$eval("#events li", (els) => els.map((e) => e.textContent));
    check("browser EventSource receives ids 1..3 and stops at the 204", ["1:1", "2:2", "3:3"], items);
    await page.screenshot({ path: `${artifacts}sse-page.png` });

    // The browser's own WebSocket, which offers permessage-deflate.
    const echo = await page.evaluate(async () => {
      const ws = new WebSocket(location.origin.replace("http", "ws") + "/ws");
      await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = () => reject(new Error("WebSocket failed")); });
      const big = "browser ".repeat(4000);
      const got = new Promise((resolve) => { ws.onmessage = (ev) => resolve(ev.data); });
      ws.send(big);
      const back = await got;
      const closed = new Promise((resolve) => { ws.onclose = (ev) => resolve(ev.code); });
      ws.close(1000);
      return { same: back === big, extensions: ws.extensions, code: await closed };
    });
    check("browser WebSocket echo with permessage-deflate", { same: true, extensions: "permessage-deflate; client_no_context_takeover; server_no_context_takeover", code: 1000 }, echo);
  } finally {
    await browser.close();
  }
});
