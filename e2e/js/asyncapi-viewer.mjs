// The AsyncAPI viewer with no network: headless Chromium, every request
// beyond loopback aborted and listed, opens /asyncapi and must show
// every channel of /asyncapi.json, with no page error.
// Usage: node asyncapi-viewer.mjs BASE
import { chromium } from "playwright-core";
import { fileURLToPath } from "node:url";
import { check, fail, main, ok } from "./check.mjs";

const [base] = process.argv.slice(2);
const artifacts = fileURLToPath(new URL("../artifacts/", import.meta.url));
const guard = 30000;
const loopback = new Set(["127.0.0.1", "localhost", "[::1]"]);

await main(async () => {
  const doc = await (await fetch(`${base}/asyncapi.json`)).json();
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const blocked = [];
    await context.route("**/*", (route) => {
      const url = route.request().url();
      if (loopback.has(new URL(url).hostname)) return route.continue();
      blocked.push(url);
      return route.abort("internetdisconnected");
    });
    const page = await context.newPage();
    const problems = [];
    page.on("pageerror", (err) => problems.push(err.message));
    page.on("console", (msg) => { if (msg.type() === "error") problems.push(msg.text()); });
    const [loaded] = await Promise.all([
      page.waitForResponse((r) => r.url() === `${base}/asyncapi.json`, { timeout: guard }),
      page.goto(`${base}/asyncapi`),
    ]);
    check("/asyncapi loads /asyncapi.json", 200, loaded.status());
    await page.locator("h1", { hasText: doc.info.title }).first().waitFor({ state: "attached", timeout: guard });
    ok(`/asyncapi renders the document ("${doc.info.title}")`);
    const text = await page.locator("body").innerText();
    const channels = Object.values(doc.channels).map((c) => c.address);
    const missing = channels.filter((a) => !text.includes(a));
    check(`/asyncapi shows every channel (${channels.join(", ")})`, [], missing);
    await page.screenshot({ path: `${artifacts}asyncapi-viewer.png`, fullPage: true });
    check("/asyncapi: no page error", [], problems);
    if (blocked.length === 0) ok("/asyncapi attempted no request beyond loopback");
    else fail("/asyncapi attempted no request beyond loopback", blocked.join(" "));
    await context.close();
  } finally {
    await browser.close();
  }
});
