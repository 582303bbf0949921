// Headless Chromium through playwright-core on the quickstart's doc pages:
// Swagger UI (embedded assets) expands GET /pets/{id}, presses Try it out
// and Execute, and shows the 200; RapiDoc (its script from the URL the
// app was started with) lists the operations. Both pages run under their
// Content-Security-Policy: a violation or page error fails the check.
// Usage: node openapi-ui.mjs BASE
// Screenshots go to e2e/artifacts/.
import { chromium } from "playwright-core";
import { fileURLToPath } from "node:url";
import { check, fail, main, ok } from "./check.mjs";

const base = process.argv[2];
const artifacts = fileURLToPath(new URL("../artifacts/", import.meta.url));
const guard = 20000;

// watch collects page errors, console errors and CSP violations.
function watch(page) {
  const problems = [];
  page.on("pageerror", (err) => problems.push(err.message));
  page.on("console", (msg) => { if (msg.type() === "error") problems.push(msg.text()); });
  return problems;
}

async function swagger(browser) {
  const page = await browser.newPage();
  const problems = watch(page);
  const offsite = [];
  page.on("request", (r) => { if (!r.url().startsWith(base)) offsite.push(r.url()); });
  const [doc] = await Promise.all([
    page.waitForResponse((r) => r.url() === `${base}/openapi.json`, { timeout: guard }),
    page.goto(`${base}/swagger`),
  ]);
  check("Swagger UI loads /openapi.json", 200, doc.status());
  const block = page.locator(".opblock-get", {
    has: page.locator(".opblock-summary-path", { hasText: /^\/pets\/\{id\}$/ }),
  });
  await block.locator(".opblock-summary-control").click({ timeout: guard });
  ok("GET /pets/{id} expands");
  await block.locator("button.try-out__btn").click({ timeout: guard });
  const id = block.locator("tr[data-param-name=id] input");
  if ((await id.inputValue()) === "") await id.fill("1");
  check("the id is filled from the document's example", "1", await id.inputValue());
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url() === `${base}/pets/1`, { timeout: guard }),
    block.locator("button.execute").click({ timeout: guard }),
  ]);
  const shown = block.locator(".live-responses-table .response .response-col_status").first();
  await shown.waitFor({ timeout: guard });
  check("Try it out, Execute: GET /pets/1 answers 200 and the page shows it",
    { status: 200, shown: "200" }, { status: response.status(), shown: (await shown.textContent()).trim() });
  const body = block.locator(".live-responses-table .response-col_description pre").first();
  const text = await body.textContent();
  if (text.includes('"name": "Rex"')) ok("the page shows the pet");
  else fail("the page shows the pet", text);
  await page.screenshot({ path: `${artifacts}swagger-try-it-out.png`, fullPage: true });
  check("Swagger UI runs offline: no request leaves the app", [], offsite);
  check("Swagger UI runs under its Content-Security-Policy without errors", [], problems);
  await page.close();
}

async function rapidoc(browser) {
  const page = await browser.newPage();
  const problems = watch(page);
  const [doc] = await Promise.all([
    page.waitForResponse((r) => r.url() === `${base}/openapi.json`, { timeout: guard }),
    page.goto(`${base}/rapidoc`),
  ]);
  check("RapiDoc loads /openapi.json", 200, doc.status());
  // Playwright's locators reach into RapiDoc's open shadow DOM.
  const doc2 = page.locator("rapi-doc");
  for (const summary of ["List pets", "Find a pet", "Add a pet", "Replace a pet", "Delete a pet"]) {
    await doc2.getByText(summary, { exact: true }).first().waitFor({ timeout: guard });
  }
  ok("RapiDoc lists the Pet operations");
  await page.screenshot({ path: `${artifacts}rapidoc.png`, fullPage: true });
  check("RapiDoc runs under its Content-Security-Policy without errors", [], problems);
  await page.close();
}

await main(async () => {
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
  });
  try {
    await swagger(browser);
    await rapidoc(browser);
  } finally {
    await browser.close();
  }
});
