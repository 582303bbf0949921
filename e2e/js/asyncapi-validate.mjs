// Validates an AsyncAPI document with @asyncapi/parser: prints every
// diagnostic with its severity and path, and exits 1 on any error or
// warning (hints and information are printed, not counted).
// usage: node js/asyncapi-validate.mjs URL-or-file
import { Parser, DiagnosticSeverity } from "@asyncapi/parser";
import { readFile } from "node:fs/promises";

const src = process.argv[2];
const text = src.startsWith("http") ? await (await fetch(src)).text() : await readFile(src, "utf8");
const parser = new Parser();
const { document, diagnostics } = await parser.parse(text);
let bad = 0;
for (const d of diagnostics) {
  const sev = ["error", "warning", "info", "hint"][d.severity] ?? d.severity;
  if (d.severity === DiagnosticSeverity.Error || d.severity === DiagnosticSeverity.Warning) bad++;
  console.log(`${sev} ${d.code} at ${d.path.join(".")}: ${d.message}`);
}
if (!document) {
  console.log("not a valid AsyncAPI document");
  process.exit(1);
}
console.log(`channels ${document.channels().length}, operations ${document.operations().length}, messages ${document.messages().length}; ${bad} errors or warnings`);
process.exit(bad ? 1 : 0);
