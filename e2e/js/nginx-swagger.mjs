// Headless Chromium through playwright-core on the quickstart behind
// nginx, which proxies /api/ to the app's root and names the prefix in
// X-Forwarded-Prefix: Swagger UI at /api/swagger loads /api/openapi.json,
// shows the operations, and Try it out on GET /pets calls /api/pets.
// Every request beyond loopback is aborted.
// Usage: node nginx-swagger.mjs BASE   (BASE is nginx's http://host:port)
import { chromium } from "playwright-core";
import { fileURLToPath } from "node:url";
import { check, main } from "./check.mjs";

const [base] = process.argv.slice(2);
const artifacts = fileURLToPath(new URL("../artifacts/", import.meta.url));
const guard = 15000;

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
    await page.route("**/*", (route) => {
      const u = new URL(route.request().url());
      if (u.origin !== new URL(base).origin) return route.abort();
      if (!u.pathname.startsWith("/api/")) outside.push(u.pathname);
      return route.continue();
    });

    const [spec] = await Promise.all([
      page.waitForResponse((r) => r.url() === `${base}/api/openapi.json`, { timeout: guard }),
      page.goto(`${base}/api/swagger`),
    ]);
    check("Swagger UI behind nginx loads /api/openapi.json", 200, spec.status());
    await page.locator(".opblock-summary-path").first().waitFor({ timeout: guard });
    const paths = await page.locator(".opblock-summary-path").allTextContents();
    check("Swagger UI shows the Pet operations", true, paths.some((p) => p.trim() === "/pets/{id}"));
    const servers = await page.locator(".servers select option").allTextContents();
    check("Swagger UI offers /api as the server", ["/api"], servers.map((s) => s.trim().split(" ")[0]));

    const block = page.locator(".opblock-get", {
      has: page.locator(".opblock-summary-path", { hasText: /^\/pets$/ }),
    });
    await block.locator(".opblock-summary-control").click({ timeout: guard });
    await block.locator("button.try-out__btn").click({ timeout: guard });
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().startsWith(`${base}/api/pets`) && r.request().method() === "GET", { timeout: guard }),
      block.locator("button.execute").click({ timeout: guard }),
    ]);
    check("Try it out on GET /pets calls /api/pets through nginx and gets 200", 200, response.status());

    await page.screenshot({ path: `${artifacts}nginx-swagger.png`, fullPage: true });
    check("no request of the page left /api/", [], outside);
    check("no script errors on the page", [], problems);
  } finally {
    await browser.close();
  }
});
