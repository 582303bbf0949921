// The doc pages with no network: headless Chromium in a context where
// every request beyond loopback is aborted (context.route) and recorded.
// Usage: node offline-docs.mjs BASE offline|cdn-control
//   offline:     /swagger runs GET /pets/{id} (Try it out, Execute) and
//                /rapidoc runs GET /pets (TRY); both show the 200 and the
//                pets; no page attempts any request beyond loopback, and
//                RapiDoc uses no web font.
//   cdn-control: the app started without the assets directory; /rapidoc
//                must attempt cdn.jsdelivr.net (and be blocked), which
//                shows the blocker sees what the offline mode forbids.
// Every attempted request beyond loopback is printed. Screenshots go to
// e2e/artifacts/.
import { chromium } from "playwright-core";
import { fileURLToPath } from "node:url";
import { check, fail, main, ok } from "./check.mjs";

const [base, mode = "offline"] = process.argv.slice(2);
const artifacts = fileURLToPath(new URL("../artifacts/", import.meta.url));
const guard = 20000;
const loopback = new Set(["127.0.0.1", "localhost", "[::1]"]);

// offline returns a browser context with all non-loopback requests
// aborted, and the list of those attempted (filled as they happen).
async function offline(browser) {
  const context = await browser.newContext();
  const blocked = [];
  let notify = () => {};
  const firstBlocked = new Promise((resolve) => { notify = resolve; });
  const record = (url) => {
    if (!blocked.includes(url)) blocked.push(url);
    notify(url);
  };
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (loopback.has(new URL(url).hostname)) return route.continue();
    record(url);
    return route.abort("internetdisconnected");
  });
  // Requests the route might not see (none expected) are recorded too.
  context.on("request", (r) => {
    const u = new URL(r.url());
    if ((u.protocol === "http:" || u.protocol === "https:" || u.protocol === "ws:" || u.protocol === "wss:") && !loopback.has(u.hostname)) record(r.url());
  });
  return { context, blocked, firstBlocked };
}

// watch collects page errors and console errors.
function watch(page) {
  const problems = [];
  page.on("pageerror", (err) => problems.push(err.message));
  page.on("console", (msg) => { if (msg.type() === "error") problems.push(msg.text()); });
  return problems;
}

async function swagger(context) {
  const page = await context.newPage();
  const problems = watch(page);
  const [doc] = await Promise.all([
    page.waitForResponse((r) => r.url() === `${base}/openapi.json`, { timeout: guard }),
    page.goto(`${base}/swagger`),
  ]);
  check("offline /swagger loads /openapi.json", 200, doc.status());
  for (const path of ["/pets", "/pets/{id}", "/events"]) {
    await page.locator(".opblock-summary-path", { hasText: new RegExp(`^${path.replace(/[{}]/g, "\\$&")}$`) }).first().waitFor({ timeout: guard });
  }
  ok("offline /swagger lists the operations (/pets, /pets/{id}, /events)");
  const block = page.locator(".opblock-get", {
    has: page.locator(".opblock-summary-path", { hasText: /^\/pets\/\{id\}$/ }),
  });
  await block.locator(".opblock-summary-control").click({ timeout: guard });
  await block.locator("button.try-out__btn").click({ timeout: guard });
  const id = block.locator("tr[data-param-name=id] input");
  if ((await id.inputValue()) === "") await id.fill("1");
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url() === `${base}/pets/1`, { timeout: guard }),
    block.locator("button.execute").click({ timeout: guard }),
  ]);
  const shown = block.locator(".live-responses-table .response .response-col_status").first();
  await shown.waitFor({ timeout: guard });
  const body = await block.locator(".live-responses-table .response-col_description pre").first().textContent();
  check("offline /swagger: Try it out, Execute GET /pets/1 answers 200 and the page shows it with the pet",
    { status: 200, shown: "200", rex: true },
    { status: response.status(), shown: (await shown.textContent()).trim(), rex: body.includes('"name": "Rex"') });
  await page.screenshot({ path: `${artifacts}offline-swagger.png`, fullPage: true });
  check("offline /swagger: no page error", [], problems);
  await page.close();
}

async function rapidoc(context) {
  const page = await context.newPage();
  const problems = watch(page);
  const [doc] = await Promise.all([
    page.waitForResponse((r) => r.url() === `${base}/openapi.json`, { timeout: guard }),
    page.goto(`${base}/rapidoc`),
  ]);
  check("offline /rapidoc loads /openapi.json", 200, doc.status());
  // Playwright's locators reach into RapiDoc's open shadow DOM.
  const rd = page.locator("rapi-doc");
  for (const summary of ["List pets", "Find a pet", "Add a pet", "Replace a pet", "Delete a pet"]) {
    await rd.getByText(summary, { exact: true }).first().waitFor({ timeout: guard });
  }
  ok("offline /rapidoc lists the Pet operations");
  const op = rd.locator("[id='get-/pets']");
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().startsWith(`${base}/pets`) && r.request().method() === "GET", { timeout: guard }),
    op.locator("api-request button[part~='btn-try']").click({ timeout: guard }),
  ]);
  const status = op.locator("api-request .response-message");
  await status.waitFor({ timeout: guard });
  const body = op.locator("api-request pre code").first();
  await body.waitFor({ timeout: guard });
  const text = (await status.textContent()).replace(/\s+/g, " ").trim();
  check("offline /rapidoc: TRY on GET /pets answers 200 and the page shows it with the pets",
    { status: 200, shown: true, rex: true },
    { status: response.status(), shown: /\b200\b/.test(text), rex: (await body.textContent()).includes('"Rex"') });
  const fonts = await page.evaluate(async () => {
    await document.fonts.ready;
    return [...document.fonts].map((f) => f.family);
  });
  check("offline /rapidoc declares no web font (system fonts only)", [], fonts);
  await page.screenshot({ path: `${artifacts}offline-rapidoc.png`, fullPage: true });
  check("offline /rapidoc: no page error", [], problems);
  await page.close();
}

// cdnControl opens /rapidoc of an app without the assets: the page's
// script must be one the blocker stops.
async function cdnControl(context, blocked, firstBlocked) {
  const page = await context.newPage();
  await page.goto(`${base}/rapidoc`);
  let timer;
  await Promise.race([firstBlocked, new Promise((resolve) => { timer = setTimeout(resolve, guard); })]);
  clearTimeout(timer);
  const cdn = blocked.some((u) => u.startsWith("https://cdn.jsdelivr.net/npm/rapidoc@9.3.8/"));
  const defined = await page.evaluate(() => customElements.get("rapi-doc") !== undefined);
  check("control: without the assets the page attempts cdn.jsdelivr.net, the blocker stops it, and RapiDoc never runs",
    { cdn: true, defined: false }, { cdn, defined });
  await page.close();
}

await main(async () => {
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
  });
  try {
    const { context, blocked, firstBlocked } = await offline(browser);
    if (mode === "cdn-control") {
      await cdnControl(context, blocked, firstBlocked);
    } else {
      await swagger(context);
      await rapidoc(context);
      if (blocked.length === 0) ok("the doc pages attempted no request beyond loopback");
      else fail("the doc pages attempted no request beyond loopback", `${blocked.length} blocked`);
    }
    console.log(`requests beyond loopback attempted (and aborted): ${blocked.length}`);
    for (const u of blocked) console.log(`  blocked ${u}`);
    await context.close();
  } finally {
    await browser.close();
  }
});
