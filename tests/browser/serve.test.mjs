// Real-browser checks of `tellyou serve`, run with Node's test runner:
//
//   TELLYOU_BIN=/path/to/tellyou PREVIEW_PROJECT=/path/to/project node --test
//
// A copy of the project is previewed on a free loopback port. An open page must
// reload by itself after a good save, and after a bad save show the errors in an
// accessible dialog that passes axe, then reload when the mistake is fixed.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { createRequire } from "node:module";
import { launchChromium } from "./chromium.mjs";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"];
const { TELLYOU_BIN, PREVIEW_PROJECT } = process.env;

if (!TELLYOU_BIN || !PREVIEW_PROJECT) {
  throw new Error("set TELLYOU_BIN to the tellyou program and PREVIEW_PROJECT to a project to preview");
}

let browser;
let preview;
let project;
let url;

before(async () => {
  project = mkdtempSync(join(tmpdir(), "tellyou-preview-"));
  cpSync(PREVIEW_PROJECT, project, { recursive: true });
  // The fixture's review dates were written for 15 January 2026.
  preview = spawn(TELLYOU_BIN, ["serve", "--port", "0"], {
    cwd: project,
    env: { ...process.env, SOURCE_DATE_EPOCH: "1768435200", NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "ignore"],
  });
  url = await new Promise((resolve, reject) => {
    const lines = createInterface({ input: preview.stdout });
    lines.on("line", (line) => {
      const found = line.match(/^Previewing the site at (\S+)/);
      if (found) resolve(found[1]);
    });
    preview.on("exit", (code) => reject(new Error(`tellyou serve exited with ${code}`)));
  });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  preview?.kill();
  if (project) rmSync(project, { recursive: true, force: true });
});

test("an open page reloads after a save and shows a broken build's errors accessibly", { timeout: 120_000 }, async () => {
  const page = await browser.newPage();
  const problems = [];
  page.on("pageerror", (error) => problems.push(error.message));
  await page.goto(`${url}crying/soothing/`, { waitUntil: "load" });

  const source = join(project, "content/crying/soothing.md");
  const original = readFileSync(source, "utf8");

  // A good save: the page reloads by itself and shows the new text.
  await Promise.all([
    page.waitForEvent("load", { timeout: 30_000 }),
    writeFileSync(source, `${original}\nA sentence saved in the editor.\n`),
  ]);
  assert.ok((await page.textContent("main")).includes("A sentence saved in the editor."));

  // A bad save: the page stays, and the errors appear over it, then the warnings.
  const longSentence =
    "This sentence goes on for far too long, with many words in it, so that a tired parent would find it hard to follow at night.";
  writeFileSync(source, `${original.replace("title:", "titel:")}\n${longSentence}\n`);
  const dialog = page.locator("#tellyou-errors");
  await dialog.waitFor({ state: "visible", timeout: 30_000 });
  assert.equal(await dialog.getAttribute("role"), "alertdialog");
  assert.match(await dialog.locator("h2").textContent(), /^The site has \d+ errors?$/);
  const findings = await dialog.locator("pre").allTextContents();
  assert.ok(findings[0].includes("content/crying/soothing.md:2:1: error: unknown key 'titel'"), findings[0]);
  assert.ok(
    findings.slice(1).some((text) => text.includes(": warning: this sentence has 26 words")),
    "the warnings follow the errors",
  );
  assert.match(await dialog.locator("p").first().textContent(), /warnings? too, after the errors/);
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Hide the errors");
  assert.ok((await page.textContent("main")).includes("A sentence saved in the editor."), "the last good page stays");

  await page.evaluate(axeSource);
  const results = await page.evaluate(
    (tags) => window.axe.run("#tellyou-errors", { runOnly: { type: "tag", values: tags } }),
    AXE_TAGS,
  );
  assert.deepEqual(results.violations.map((v) => `${v.id}: ${v.help}`), [], "the error dialog passes axe");

  // Fixing the mistake reloads the page, and the errors go.
  await Promise.all([page.waitForEvent("load", { timeout: 30_000 }), writeFileSync(source, original)]);
  assert.equal(await page.locator("#tellyou-errors").count(), 0);
  assert.ok(!(await page.textContent("main")).includes("A sentence saved in the editor."));
  assert.deepEqual(problems, []);
});
