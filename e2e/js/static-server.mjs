// A static file server for the e2e suites: serves one directory on
// 127.0.0.1 with CORS, so that a page of another origin can load a module
// script from it (the RapiDoc check loads the npm-installed rapidoc this
// way). It stops itself after a time limit.
// Usage: node static-server.mjs DIR PORT [SECONDS]
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";

const [dir, port, seconds = "300"] = process.argv.slice(2);
const types = { ".js": "text/javascript; charset=utf-8", ".css": "text/css", ".html": "text/html", ".map": "application/json" };

const server = createServer(async (req, res) => {
  const path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname));
  if (path.includes("..")) {
    res.writeHead(400).end();
    return;
  }
  try {
    const body = await readFile(join(dir, path));
    res.writeHead(200, {
      "Content-Type": types[extname(path)] ?? "application/octet-stream",
      "Access-Control-Allow-Origin": "*",
    });
    res.end(body);
  } catch {
    res.writeHead(404, { "Access-Control-Allow-Origin": "*" }).end();
  }
});
server.listen(Number(port), "127.0.0.1");
setTimeout(() => server.close(() => process.exit(0)), Number(seconds) * 1000).unref();
setTimeout(() => process.exit(0), Number(seconds) * 1000 + 2000).unref();
