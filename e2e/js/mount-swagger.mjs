// Headless Chromium through playwright-core on examples/mount: Swagger UI
// at /api/swagger loads the document through the mount, and its Try it
// out calls the API under /api — a read, then a write authorized with the
// bearer token, which the host app's own net/http middleware checks.
// Usage: node mount-swagger.mjs BASE TOKEN
// Screenshots go to e2e/artifacts/.
import { chromium } from "playwright-core";
import { fileURLToPath } from "node:url";
import { check, fail, main, ok } from "./check.mjs";

const [base, token] = process.argv.slice(2);
const artifacts = fileURLToPath(new URL("../artifacts/", import.meta.url));
const guard = 15000;

// operation returns the Swagger UI block of method and path, expanded.
async function operation(page, method, path) {
  const block = page.locator(`.opblock-${method}`, {
    has: page.locator(".opblock-summary-path", { hasText: new RegExp(`^${path}$`) }),
  });
  await block.locator(".opblock-summary-control").click({ timeout: guard });
  return block;
}

// execute presses Try it out (after fill, if any) and Execute, and
// returns the API response the page received and the status it shows.
async function execute(page, block, method, url, fill) {
  await block.locator("button.try-out__btn").click({ timeout: guard });
  if (fill) await fill(block);
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().startsWith(url) && r.request().method() === method.toUpperCase(), { timeout: guard }),
    block.locator("button.execute").click({ timeout: guard }),
  ]);
  const shown = block.locator(".live-responses-table .response .response-col_status").first();
  await shown.waitFor({ timeout: guard });
  return { response, shown: (await shown.textContent()).trim() };
}

await main(async () => {
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
  });
  try {
    const page = await browser.newPage();
    const problems = [];
    page.on("pageerror", (err) => problems.push(err.message));
    page.on("console", (msg) => { if (msg.type() === "error") problems.push(msg.text()); });
    const outside = [];
    page.on("request", (r) => {
      const u = new URL(r.url());
      if (u.origin === new URL(base).origin && !u.pathname.startsWith("/api/")) outside.push(u.pathname);
    });

    const [spec] = await Promise.all([
      page.waitForResponse((r) => r.url() === `${base}/api/openapi.json`, { timeout: guard }),
      page.goto(`${base}/api/swagger`),
    ]);
    check("Swagger UI loads the document from /api/openapi.json", 200, spec.status());
    await page.locator(".opblock-summary-path").first().waitFor({ timeout: guard });
    const servers = await page.locator(".servers select option").allTextContents();
    check("Swagger UI offers the mount prefix as the server", ["/api"], servers.map((s) => s.trim()));

    const list = await operation(page, "get", "/notes");
    const read = await execute(page, list, "get", `${base}/api/notes`);
    check("Try it out on GET /notes calls /api/notes and gets 200", { url: `${base}/api/notes`, status: 200, shown: "200" },
      { url: read.response.url().split("?")[0], status: read.response.status(), shown: read.shown });
    const body = await read.response.json();
    check("the response is the notes page", { items: true, total: true },
      { items: Array.isArray(body.items), total: Number.isInteger(body.total) && body.total >= body.items.length });

    // A write: the bearer token goes in through Authorize, and the host
    // app's requireToken middleware (adapter.With) lets it through.
    await page.locator("button.authorize").first().click({ timeout: guard });
    await page.locator(".modal-ux input[type=text], .modal-ux input[type=password]").first().fill(token);
    await page.locator(".modal-ux button.authorize").first().click({ timeout: guard });
    await page.locator(".modal-ux button.btn-done").first().click({ timeout: guard });
    const create = await operation(page, "post", "/notes");
    const write = await execute(page, create, "post", `${base}/api/notes`, async (block) => {
      await block.locator("textarea.body-param__text").fill(JSON.stringify({ text: "from Swagger UI" }));
    });
    const created = await write.response.json();
    check("Try it out on POST /notes with the token gets 201", { status: 201, shown: "201", text: "from Swagger UI" },
      { status: write.response.status(), shown: write.shown, text: created.text });
    if (typeof created.request_id === "string" && created.request_id.length > 0) ok("the host app's request id reached the Hyperlane handler");
    else fail("the host app's request id reached the Hyperlane handler", JSON.stringify(created));

    await page.screenshot({ path: `${artifacts}mount-swagger.png`, fullPage: true });
    check("no request of the page left the mount", [], outside);
    check("no script errors on the page", [], problems);
  } finally {
    await browser.close();
  }
});
