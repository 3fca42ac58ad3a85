// Real-browser checks of finding things on a built site, run with Node's test
// runner:
//
//   SEARCH_SITES=/path/to/site:/path/to/council node --test search.test.mjs
//
// Each folder is a build of the shipped guide, served on 127.0.0.1 under the path
// it was built for. With JavaScript, the search page finds pages by the words
// parents use, announces how many it found, works from the keyboard alone and
// passes axe at phone and desktop sizes. Without JavaScript, the search form on
// every page leads to the A to Z. No page but the search page has a script, and no
// request leaves the site. With TRANSLATED_SITE, a build of the translations
// fixture, a search in Polish finds the Polish pages, from the Polish index. With
// MANY_PAGES_SITE, a build of 450 pages of the benchmark corpus, whose pages share
// the files of their excerpts, each result shows its page's title and excerpt.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { createRequire } from "node:module";
import { launchChromium, watchedPage } from "./chromium.mjs";
import { basePathOf, pagesOf, serve } from "./static-site.mjs";

const require = createRequire(import.meta.url);
const axeSource = await readFile(require.resolve("axe-core/axe.min.js"), "utf8");
const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"];
const VIEWPORTS = [
  { name: "phone", width: 375, height: 667 },
  { name: "desktop", width: 1280, height: 800 },
];

const SEARCH_SITES = (process.env.SEARCH_SITES || "").split(":").filter(Boolean);
if (SEARCH_SITES.length === 0) {
  throw new Error("set SEARCH_SITES to the built site folders to search, separated by ':'");
}

/** Words a parent might type, and the page of the shipped guide that answers each. */
const SEARCHES = [
  { words: "fever", page: "crying/when-to-get-help/" },
  { words: "colic", page: "crying/soothing/" },
  { words: "sofa", page: "safe-sleep/" },
];

let browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

/** The results as the page shows them: the status, and each result's link. */
async function shownResults(page) {
  await page.waitForFunction(() => {
    const status = document.querySelector(".search-results [role=status]");
    return status && status.textContent && !status.textContent.includes("…");
  });
  return page.evaluate(() => ({
    status: document.querySelector(".search-results [role=status]").textContent,
    links: [...document.querySelectorAll(".search-results__title a")].map((a) => new URL(a.href).pathname),
    excerpts: [...document.querySelectorAll(".search-results__excerpt")].map((p) => p.textContent),
  }));
}

for (const root of SEARCH_SITES) {
  test(`finding things on ${root}`, async (t) => {
    const BASE_PATH = await basePathOf(root);
    const server = await serve(root, BASE_PATH);
    const origin = `http://127.0.0.1:${server.address().port}`;
    try {
      await t.test("no page but the search page has a script", async () => {
        const withScripts = [];
        for (const path of await pagesOf(root)) {
          const file = join(root, path.endsWith(".html") ? path : `${path}index.html`);
          const html = await readFile(file, "utf8");
          if (/<script/i.test(html)) withScripts.push(path);
          const policy = html.match(/http-equiv=["']?Content-Security-Policy["']? content="([^"]+)"/i)
            || html.match(/content="([^"]+)"[^>]*http-equiv=["']?Content-Security-Policy/i);
          assert.ok(policy, `${path} has a Content-Security-Policy`);
          const scripts = policy[1].match(/script-src ([^;]+)/)[1].trim();
          const expected = /(^|\/)search\/$/.test(path) ? "'self' 'wasm-unsafe-eval'" : "'none'";
          assert.equal(scripts, expected, `the scripts ${path} may run`);
        }
        assert.ok(withScripts.length > 0, "the search page has its script");
        assert.ok(withScripts.every((path) => /(^|\/)search\/$/.test(path)), `pages with a script: ${withScripts}`);
      });

      for (const { words, page: expected } of SEARCHES) {
        await t.test(`searching for "${words}" finds ${expected}`, { timeout: 60_000 }, async () => {
          const context = await browser.newContext();
          const { page, problems } = await watchedPage(context, origin);
          await page.goto(`${origin}${BASE_PATH}search/?q=${encodeURIComponent(words)}`);
          const shown = await shownResults(page);
          assert.ok(shown.links.length > 0, `no results: ${shown.status}`);
          assert.ok(shown.links.slice(0, 3).includes(`${BASE_PATH}${expected}`), `the first results: ${shown.links.slice(0, 3)}`);
          assert.match(shown.status, new RegExp(`${words}.*${shown.links.length >= 10 ? "\\d+" : shown.links.length}`), "the status says the words and the count");
          assert.ok(shown.excerpts.every((text) => !/Immediate action required|Urgent advice:/.test(text)), "care cards' hidden words are not indexed");
          assert.deepEqual(problems, []);
          await context.close();
        });
      }

      await t.test("the search works from the keyboard alone, from the form on any page", { timeout: 60_000 }, async () => {
        const context = await browser.newContext({ viewport: VIEWPORTS[0] });
        const { page, problems } = await watchedPage(context, origin);
        await page.goto(`${origin}${BASE_PATH}crying/`);
        // On a phone the form is in the menu: open it, and go to the search box.
        await page.focus(".menu__toggle");
        await page.keyboard.press("Enter");
        await page.keyboard.press("Tab");
        assert.equal(await page.evaluate(() => document.activeElement.id), "search-site");
        await page.keyboard.type("colic");
        await page.keyboard.press("Enter");
        await page.waitForURL((url) => url.pathname === `${BASE_PATH}search/`);
        const shown = await shownResults(page);
        assert.ok(shown.links.length > 0);
        await page.focus("#search-page");
        await page.keyboard.press("Tab");
        await page.keyboard.press("Tab");
        const focused = await page.evaluate(() => document.activeElement.closest(".search-results__title") !== null);
        assert.ok(focused, "the first result's link comes next after the search button");
        await page.keyboard.press("Enter");
        await page.waitForURL((url) => url.pathname !== `${BASE_PATH}search/`);
        assert.deepEqual(problems, []);
        await context.close();
      });

      for (const viewport of VIEWPORTS) {
        await t.test(`the results pass axe on a ${viewport.name}`, { timeout: 60_000 }, async () => {
          const context = await browser.newContext({ viewport });
          const { page, problems } = await watchedPage(context, origin);
          await page.goto(`${origin}${BASE_PATH}search/?q=crying`);
          await shownResults(page);
          await page.evaluate(axeSource);
          const violations = await page.evaluate(
            (tags) => window.axe.run(document, { runOnly: { type: "tag", values: tags } }),
            AXE_TAGS,
          );
          const found = violations.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(", ")}`);
          assert.deepEqual(found, [], "axe-core violations");
          assert.deepEqual(problems, []);
          await context.close();
        });
      }

      await t.test("without JavaScript, the search form leads to the A to Z", { timeout: 60_000 }, async () => {
        const context = await browser.newContext({ javaScriptEnabled: false, viewport: VIEWPORTS[0] });
        const { page, problems } = await watchedPage(context, origin);
        await page.goto(`${origin}${BASE_PATH}`);
        await page.click(".menu__toggle");
        await page.fill("#search-site", "fever");
        await page.press("#search-site", "Enter");
        await page.waitForURL((url) => url.pathname === `${BASE_PATH}search/`);
        const entry = await page.evaluate(() => {
          const link = [...document.querySelectorAll(".a-z a")].find((a) => a.textContent.trim() === "Fever");
          return link && new URL(link.href).pathname + new URL(link.href).hash;
        });
        assert.equal(entry, `${BASE_PATH}crying/when-to-get-help/#signs-to-get-urgent-help`);
        assert.deepEqual(problems, []);
        await context.close();
      });
    } finally {
      server.close();
    }
  });
}

const TRANSLATED_SITE = process.env.TRANSLATED_SITE;
if (TRANSLATED_SITE) {
  test(`searching in Polish on ${TRANSLATED_SITE} finds Polish pages only`, { timeout: 60_000 }, async () => {
    const BASE_PATH = await basePathOf(TRANSLATED_SITE);
    const server = await serve(TRANSLATED_SITE, BASE_PATH);
    const origin = `http://127.0.0.1:${server.address().port}`;
    try {
      const context = await browser.newContext();
      const { page, problems } = await watchedPage(context, origin);
      await page.goto(`${origin}${BASE_PATH}pl/search/?q=przytul`);
      const shown = await shownResults(page);
      assert.ok(shown.links.includes(`${BASE_PATH}pl/crying/soothing/`), `results: ${shown.links}`);
      assert.ok(shown.links.every((link) => link.startsWith(`${BASE_PATH}pl/`)), `results: ${shown.links}`);
      assert.match(shown.status, /przytul/);
      assert.deepEqual(problems, []);
      await context.close();
    } finally {
      server.close();
    }
  });
}

const MANY_PAGES_SITE = process.env.MANY_PAGES_SITE;
if (MANY_PAGES_SITE) {
  test(`each result on ${MANY_PAGES_SITE}, whose pages share their excerpts' files, shows its page`, { timeout: 60_000 }, async () => {
    const BASE_PATH = await basePathOf(MANY_PAGES_SITE);
    const server = await serve(MANY_PAGES_SITE, BASE_PATH);
    const origin = `http://127.0.0.1:${server.address().port}`;
    try {
      const fragments = await readdir(join(MANY_PAGES_SITE, "pagefind", "fragment"));
      assert.ok(fragments.length <= 200, `${fragments.length} files of excerpts for 450 pages`);
      const context = await browser.newContext();
      const { page, problems } = await watchedPage(context, origin);
      await page.goto(`${origin}${BASE_PATH}search/?q=topic`);
      const shown = await shownResults(page);
      assert.ok(shown.links.length >= 10, `results: ${shown.links}`);
      assert.equal(shown.excerpts.length, shown.links.length, "each result has its excerpt");
      assert.ok(shown.excerpts.every((text) => text.trim().length > 0), `excerpts: ${shown.excerpts}`);
      // Each result's title is the title of the page it links to: the excerpts,
      // read from files of several, are each found for their own page.
      const titles = await page.evaluate(() =>
        [...document.querySelectorAll(".search-results__title a")].map((a) => a.textContent.trim()));
      for (const [at, link] of shown.links.entries()) {
        const html = await readFile(join(MANY_PAGES_SITE, link.slice(BASE_PATH.length), "index.html"), "utf8");
        assert.equal(titles[at], html.match(/<h1[^>]*>([^<]*)<\/h1>/)[1], `the title of ${link}`);
      }
      assert.deepEqual(problems, []);
      await context.close();
    } finally {
      server.close();
    }
  });
}
