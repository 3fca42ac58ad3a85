// The example councils served by nginx with the configuration in docs/hosting.md,
// as a council would host them, and every page of both crawled in Chromium:
//
//   COUNCIL_SITES=/path/to/public NGINX=/usr/sbin/nginx node --test hosting.test.mjs
//
// COUNCIL_SITES is the folder `tellyou build --all` wrote, with brackenford/ and
// saltmarsh-vale/ in it. The `server` blocks in docs/hosting.md are used as they
// are, with only their ports and folders changed to temporary ones on 127.0.0.1.
// Every link, image, stylesheet and anchor on every page must work, and the caching
// headers must be those docs/hosting.md promises. Without COUNCIL_SITES the test is
// skipped.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { chmod, cp, mkdtemp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium } from "./chromium.mjs";

const SITES = process.env.COUNCIL_SITES;
const NGINX = process.env.NGINX || "/usr/sbin/nginx";
const HOSTING = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "docs", "hosting.md");

/** The nginx configuration in docs/hosting.md, between its markers. */
async function hostingConfiguration() {
  const hosting = await readFile(HOSTING, "utf8");
  const section = hosting.split("<!-- nginx configuration: start -->")[1]?.split("<!-- nginx configuration: end -->")[0];
  assert.ok(section, "docs/hosting.md has its nginx configuration between the markers");
  return section.replace(/^\s*```nginx\n/, "").replace(/```\s*$/, "");
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port, nginx, errors) {
  for (let tries = 0; tries < 100; tries++) {
    if (nginx.exitCode !== null) throw new Error(`nginx stopped:\n${errors()}`);
    try {
      await fetch(`http://127.0.0.1:${port}/`);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error(`nginx did not answer on port ${port}:\n${errors()}`);
}

const HASHED = /\.[0-9a-f]{10}\.[a-z0-9]+$/;

/**
 * Crawls a site from `start` in Chromium, following every link that stays under
 * `base`. Returns every problem found.
 */
async function crawl(browser, origin, base) {
  const problems = [];
  const context = await browser.newContext();
  const page = await context.newPage();
  const idsByPage = new Map();
  const anchors = [];
  const queue = [`${origin}${base}`];
  const seen = new Set(queue);
  const checkedFiles = new Map();

  async function checkFile(url, from, kind) {
    if (!checkedFiles.has(url)) {
      const response = await fetch(url);
      const body = Buffer.from(await response.arrayBuffer());
      checkedFiles.set(url, { response, body });
    }
    const { response, body } = checkedFiles.get(url);
    if (response.status !== 200) problems.push(`${from}: the ${kind} ${url} answers ${response.status}`);
    else if (body.length === 0) problems.push(`${from}: the ${kind} ${url} is empty`);
    const cache = response.headers.get("cache-control") || "";
    if (HASHED.test(new URL(url).pathname) && !cache.includes("max-age=31536000")) {
      problems.push(`${url}: a fingerprinted file is not cached for a year (Cache-Control: ${cache})`);
    }
    if (kind === "stylesheet" && !(response.headers.get("content-type") || "").startsWith("text/css")) {
      problems.push(`${url}: the stylesheet is served as ${response.headers.get("content-type")}`);
    }
  }

  while (queue.length > 0) {
    const url = queue.shift();
    const response = await page.goto(url, { waitUntil: "load" });
    if (!response || response.status() !== 200) {
      problems.push(`${url} answers ${response?.status()}`);
      continue;
    }
    if (!(response.headers()["cache-control"] || "").includes("no-cache")) {
      problems.push(`${url}: the page is not revalidated (Cache-Control: ${response.headers()["cache-control"]})`);
    }
    const found = await page.evaluate(() => ({
      links: [...document.querySelectorAll("a[href]")].map((a) => a.href),
      stylesheets: [...document.querySelectorAll("link[rel=stylesheet]")].map((l) => l.href),
      icons: [...document.querySelectorAll("link[rel=icon]")].map((l) => l.href),
      images: [...document.querySelectorAll("img")].map((img) => ({ src: img.currentSrc || img.src, loaded: img.complete && img.naturalWidth > 0 })),
      ids: [...document.querySelectorAll("[id]")].map((element) => element.id),
      styled: getComputedStyle(document.body).fontFamily !== "" && document.styleSheets.length > 0 && document.styleSheets[0].cssRules.length > 0,
    }));
    const here = new URL(url);
    idsByPage.set(here.pathname, new Set(found.ids));
    if (!found.styled) problems.push(`${url}: the stylesheet was not applied`);
    for (const image of found.images) {
      if (!image.loaded) problems.push(`${url}: the image ${image.src} did not load`);
      else await checkFile(image.src, url, "image");
    }
    for (const href of found.stylesheets) await checkFile(href, url, "stylesheet");
    for (const href of found.icons) await checkFile(href, url, "icon");
    for (const href of found.links) {
      const target = new URL(href);
      if (target.origin !== origin) continue;
      if (!target.pathname.startsWith(base)) {
        problems.push(`${url}: the link ${href} leaves the site's path ${base}`);
        continue;
      }
      if (target.hash) anchors.push({ from: url, page: target.pathname, id: decodeURIComponent(target.hash.slice(1)) });
      target.hash = "";
      const next = target.href;
      if (target.pathname.endsWith("/") || target.pathname.endsWith(".html")) {
        if (!seen.has(next)) {
          seen.add(next);
          queue.push(next);
        }
      } else {
        await checkFile(next, url, "file");
      }
    }
  }
  for (const anchor of anchors) {
    const ids = idsByPage.get(anchor.page);
    if (!ids?.has(anchor.id)) problems.push(`${anchor.from}: the anchor #${anchor.id} is not on ${anchor.page}`);
  }

  // An address that does not exist gets the site's 404 page, styled, at any depth.
  const missing = await page.goto(`${origin}${base}no/such/page/`, { waitUntil: "load" });
  if (missing.status() !== 404) problems.push(`a missing page answers ${missing.status()}, not 404`);
  const notFound = await page.evaluate(() => ({
    heading: document.querySelector("h1")?.textContent,
    styled: document.styleSheets.length > 0 && document.styleSheets[0].cssRules.length > 0,
  }));
  if (notFound.heading !== "Page not found") problems.push(`the 404 page's heading is ${notFound.heading}`);
  if (!notFound.styled) problems.push("the 404 page has no stylesheet");

  await context.close();
  return { problems: [...new Set(problems)], pages: seen.size };
}

/**
 * Searches the site at `base` for "colic" in Chromium, as a parent would, and
 * returns every problem: the search must find pages under `base`, and nginx must
 * compress the search's script.
 */
async function searchThrough(browser, origin, base) {
  const problems = [];
  const context = await browser.newContext();
  const page = await context.newPage();
  const leaving = [];
  page.on("request", (request) => {
    if (!request.url().startsWith(origin)) leaving.push(request.url());
  });
  await page.goto(`${origin}${base}search/?q=colic`, { waitUntil: "load" });
  try {
    await page.waitForFunction(() => document.querySelectorAll(".search-results__title a").length > 0, null, { timeout: 20_000 });
  } catch {
    const status = await page.evaluate(() => document.querySelector(".search-results [role=status]")?.textContent);
    problems.push(`${base}search/?q=colic shows no results: ${status}`);
  }
  const links = await page.evaluate(() => [...document.querySelectorAll(".search-results__title a")].map((a) => a.href));
  for (const link of links) {
    const target = new URL(link);
    if (target.origin !== origin || !target.pathname.startsWith(base)) problems.push(`the result ${link} leaves the site's path ${base}`);
    else if ((await fetch(link)).status !== 200) problems.push(`the result ${link} is missing`);
  }
  if (leaving.length > 0) problems.push(`the search asked another website for ${leaving.join(", ")}`);
  const script = await fetch(`${origin}${base}pagefind/pagefind.js`, { headers: { "accept-encoding": "gzip" } });
  if (script.headers.get("content-encoding") !== "gzip") {
    problems.push(`the search's script is not compressed (Content-Type: ${script.headers.get("content-type")})`);
  }
  await context.close();
  return problems;
}

test("the example councils hosted by nginx, at a domain root and under a path", { skip: !SITES && "set COUNCIL_SITES to the output of `tellyou build --all`", timeout: 300_000 }, async () => {
  const work = await mkdtemp(join(tmpdir(), "tellyou-nginx-"));
  // When the test runs as root, nginx's workers run as another user, who must be
  // able to reach the sites' folders.
  await chmod(work, 0o755);
  let nginx;
  let browser;
  try {
    const rootPort = await freePort();
    const pathPort = await freePort();
    // The folders in docs/hosting.md become temporary ones: copies of the sites, so that
    // nginx's workers can read them wherever the build was written. The site under
    // a path goes in /start-for-life/ inside its server's root, as docs/hosting.md says.
    await cp(join(SITES, "brackenford"), join(work, "brackenford"), { recursive: true });
    await cp(join(SITES, "saltmarsh-vale"), join(work, "saltmarsh-vale", "start-for-life"), { recursive: true });
    let servers = await hostingConfiguration();
    const listens = servers.match(/listen 80;/g) || [];
    assert.equal(listens.length, 2, "the configuration in docs/hosting.md has two servers");
    servers = servers
      .replace("listen 80;", `listen 127.0.0.1:${rootPort};`)
      .replace("listen 80;", `listen 127.0.0.1:${pathPort};`)
      .replace("root /var/www/brackenford;", `root ${join(work, "brackenford")};`)
      .replace("root /var/www/saltmarsh-vale;", `root ${join(work, "saltmarsh-vale")};`);
    const directives = servers.split("\n").filter((line) => !line.trim().startsWith("#"));
    assert.ok(!directives.join("\n").includes("/var/www/"), "every folder in the configuration in docs/hosting.md was replaced");
    for (const folder of ["body", "proxy", "fastcgi", "uwsgi", "scgi"]) await mkdir(join(work, folder));
    await writeFile(
      join(work, "nginx.conf"),
      `daemon off;
worker_processes 1;
pid ${work}/nginx.pid;
error_log ${work}/error.log warn;
events { worker_connections 64; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log off;
  client_body_temp_path ${work}/body;
  proxy_temp_path ${work}/proxy;
  fastcgi_temp_path ${work}/fastcgi;
  uwsgi_temp_path ${work}/uwsgi;
  scgi_temp_path ${work}/scgi;
${servers}
}
`,
    );
    let stderr = "";
    nginx = spawn(NGINX, ["-p", work, "-c", join(work, "nginx.conf")], { stdio: ["ignore", "ignore", "pipe"] });
    nginx.stderr.on("data", (chunk) => (stderr += chunk));
    const errors = () => stderr;
    await waitForPort(rootPort, nginx, errors);
    await waitForPort(pathPort, nginx, errors);

    browser = await launchChromium();
    const atRoot = await crawl(browser, `http://127.0.0.1:${rootPort}`, "/");
    const underPath = await crawl(browser, `http://127.0.0.1:${pathPort}`, "/start-for-life/");
    assert.deepEqual(atRoot.problems, [], "Brackenford, at the root of its domain");
    assert.deepEqual(underPath.problems, [], "Saltmarsh Vale, under /start-for-life/");
    assert.ok(atRoot.pages >= 15, `every page of Brackenford was reached (${atRoot.pages})`);
    assert.ok(underPath.pages >= 15, `every page of Saltmarsh Vale was reached (${underPath.pages})`);
    assert.deepEqual(await searchThrough(browser, `http://127.0.0.1:${rootPort}`, "/"), [], "searching Brackenford");
    assert.deepEqual(await searchThrough(browser, `http://127.0.0.1:${pathPort}`, "/start-for-life/"), [], "searching Saltmarsh Vale");

    // Outside the site's path, the main website's server has nothing of it.
    const outside = await fetch(`http://127.0.0.1:${pathPort}/index.html`);
    assert.equal(outside.status, 404);
    // tellyou's own records in the output folder are not served.
    for (const url of [
      `http://127.0.0.1:${rootPort}/.tellyou-manifest`,
      `http://127.0.0.1:${pathPort}/start-for-life/.tellyou-output`,
    ]) {
      assert.equal((await fetch(url)).status, 404, url);
    }
  } finally {
    await browser?.close();
    if (nginx && nginx.exitCode === null) {
      const stopped = new Promise((resolve) => nginx.once("exit", resolve));
      nginx.kill("SIGTERM");
      await stopped;
    }
    await rm(work, { recursive: true, force: true });
  }
});
