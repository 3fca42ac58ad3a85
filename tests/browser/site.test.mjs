// Real-browser checks of a built site, run with Node's test runner:
//
//   SITE_DIRS=/path/to/site:/path/to/other node --test
//
// Each folder is served on 127.0.0.1 under the path it was built for, as a council
// would host it, and every page is opened in Debian's Chromium at phone and desktop
// sizes. On the first screen of a small phone (375x667) every page must show its
// urgent help link without scrolling, with a header no taller than 160px and its h1
// within 400px; and no page may show a care card after a less urgent one (in the
// guide to print, no page of the guide). Set
// SCREENSHOTS to a folder to keep a full-page screenshot of each page there.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { createRequire } from "node:module";
import { launchChromium, watchedPage } from "./chromium.mjs";
import { basePathOf, pagesOf, serve } from "./static-site.mjs";

const require = createRequire(import.meta.url);
const axeSource = await readFile(require.resolve("axe-core/axe.min.js"), "utf8");

const SITE_DIRS = (process.env.SITE_DIRS || "").split(":").filter(Boolean);
/** The first screen of a small phone, on which urgent help must show without scrolling. */
const FIRST_SCREEN = { width: 375, height: 667 };
const VIEWPORTS = [
  { name: "phone", ...FIRST_SCREEN },
  { name: "desktop", width: 1280, height: 800 },
];
const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"];

if (SITE_DIRS.length === 0) {
  throw new Error("set SITE_DIRS to the built site folders to check, separated by ':'");
}



/** What a parent sees of a page before scrolling: runs in the page. */
function firstScreenFacts() {
  const header = document.querySelector("header");
  const h1 = document.querySelector("h1");
  const link = document.querySelector(".urgent-bar a");
  let urgent = null;
  if (link) {
    const box = link.getBoundingClientRect();
    const atCentre = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
    urgent = {
      text: link.closest(".urgent-bar").textContent.trim(),
      top: box.top,
      bottom: box.bottom,
      onScreen:
        window.scrollY === 0 && box.top >= 0 && box.bottom <= window.innerHeight && box.width > 0 && link.contains(atCentre),
    };
  }
  return {
    urgent,
    headerHeight: header ? Math.round(header.getBoundingClientRect().height) : null,
    h1Top: h1 ? Math.round(h1.getBoundingClientRect().top + window.scrollY) : null,
  };
}

let browser;

before(async () => {
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
});

/** Opens a page and records every console error and every request to another host. */
async function open(context, url, origin) {
  const { page, problems } = await watchedPage(context, origin);
  const response = await page.goto(url, { waitUntil: "load" });
  return { page, problems, response };
}

for (const root of SITE_DIRS) {
  test(`every page of ${root}`, async (t) => {
    const BASE_PATH = await basePathOf(root);
    const server = await serve(root, BASE_PATH);
    const origin = `http://127.0.0.1:${server.address().port}`;
    try {
      const all = await pagesOf(root);
      const redirects = [];
      const pages = [];
      for (const path of all) {
        const html = await readFile(join(root, path.endsWith(".html") ? path : `${path}index.html`), "utf8");
        (/http-equiv=["']?refresh/i.test(html) ? redirects : pages).push(path);
      }
      assert.ok(pages.length > 0, "the site has pages");

      for (const path of redirects) {
        await t.test(`${BASE_PATH}${path} redirects to a page that exists`, { timeout: 60_000 }, async () => {
          const context = await browser.newContext();
          const page = await context.newPage();
          await page.goto(`${origin}${BASE_PATH}${path}`);
          await page.waitForURL((url) => url.pathname !== `${BASE_PATH}${path}`);
          await page.waitForLoadState("load");
          const status = await page.evaluate(() => performance.getEntriesByType("navigation")[0].responseStatus);
          assert.equal(status, 200, `the redirect from ${path} ends at ${page.url()}`);
          await context.close();
        });
      }
      for (const viewport of VIEWPORTS) {
        const context = await browser.newContext({ viewport });
        for (const path of pages) {
          await t.test(`${viewport.name} ${BASE_PATH}${path}`, { timeout: 60_000 }, async () => {
            const url = `${origin}${BASE_PATH}${path}`;
            const { page, problems } = await open(context, url, origin);
            try {
              if (viewport.name === "phone") {
                const seen = await page.evaluate(firstScreenFacts);
                assert.ok(seen.urgent, "the header has an urgent help link");
                assert.match(seen.urgent.text, /999/, "the urgent help link names 999");
                assert.match(seen.urgent.text, /111/, "the urgent help link names 111");
                assert.ok(seen.urgent.onScreen, `the urgent help link shows on the first screen, unscrolled and uncovered: ${JSON.stringify(seen.urgent)}`);
                assert.ok(seen.headerHeight <= 160, `the header and menu are ${seen.headerHeight}px tall, more than 160px`);
                assert.ok(seen.h1Top !== null && seen.h1Top <= 400, `the page's heading starts at ${seen.h1Top}px, below 400px`);
              } else {
                // The guide to print holds many pages: each keeps its own order.
                const parts = await page.evaluate(() => {
                  const parts = new Map();
                  for (const card of document.querySelectorAll(".care-card")) {
                    const part = card.closest(".booklet__page") || document.body;
                    const kind = ["emergency", "urgent", "non-urgent"].find((kind) => card.classList.contains(`care-card--${kind}`));
                    parts.set(part, [...(parts.get(part) || []), kind]);
                  }
                  return [...parts.values()];
                });
                const rank = { emergency: 0, urgent: 1, "non-urgent": 2 };
                for (const cards of parts) {
                  for (let i = 1; i < cards.length; i++) {
                    assert.ok(rank[cards[i]] >= rank[cards[i - 1]], `a ${cards[i]} care card comes after a less urgent ${cards[i - 1]} one: ${cards.join(", ")}`);
                  }
                }
              }
              await page.evaluate(axeSource);
              const results = await page.evaluate(
                (tags) => window.axe.run(document, { runOnly: { type: "tag", values: tags } }),
                AXE_TAGS,
              );
              const violations = results.violations.map(
                (v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`,
              );
              assert.deepEqual(violations, [], "axe-core violations");

              if (process.env.SCREENSHOTS) {
                const name = `${basename(root)}-${viewport.name}-${path.replace(/\//g, "_") || "home"}.png`;
                await page.screenshot({ path: join(process.env.SCREENSHOTS, name), fullPage: true });
              }

              await page.keyboard.press("Tab");
              const first = await page.evaluate(() => document.activeElement?.className);
              assert.equal(first, "skip-link", "the skip link is the first thing Tab reaches");
              await page.keyboard.press("Enter");
              const focused = await page.evaluate(() => document.activeElement?.id);
              assert.equal(focused, "main-content", "the skip link moves focus to the main content");
              const mainLooksFocused = await page.evaluate(() => {
                const main = document.activeElement;
                return getComputedStyle(main).backgroundColor !== getComputedStyle(document.body).backgroundColor;
              });
              assert.equal(mainLooksFocused, false, "focus moved to main does not paint the whole page");

              const hidden = await page.evaluate(() => {
                const problems = [];
                const links = [...document.querySelectorAll("a[href]")].filter((link) => link.checkVisibility());
                for (const link of links) {
                  const before = getComputedStyle(link);
                  const look = [before.backgroundColor, before.boxShadow, before.outlineStyle].join();
                  link.focus({ focusVisible: true });
                  link.scrollIntoView({ block: "center" });
                  const after = getComputedStyle(link);
                  const box = link.getClientRects()[0];
                  const atCentre = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
                  if ([after.backgroundColor, after.boxShadow, after.outlineStyle].join() === look) {
                    problems.push(`${link.textContent.trim()}: focus does not change how it looks`);
                  } else if (!link.contains(atCentre)) {
                    problems.push(`${link.textContent.trim()}: focused link is covered by ${atCentre?.outerHTML.slice(0, 60)}`);
                  }
                }
                return problems;
              });
              assert.deepEqual(hidden, [], "every link shows a visible focus style that nothing covers");

              const small = await page.evaluate(() =>
                [...document.querySelectorAll(".header a, nav a")]
                  .filter((link) => link.checkVisibility())
                  .map((link) => [link.textContent.trim(), link.getBoundingClientRect()])
                  .filter(([, box]) => box.width < 44 || box.height < 44)
                  .map(([text, box]) => `${text} (${Math.round(box.width)}x${Math.round(box.height)})`),
              );
              assert.deepEqual(small, [], "navigation links smaller than 44 by 44 px");

              assert.deepEqual(problems, [], "console errors and requests to other hosts");

            } finally {
              await page.close();
            }
          });
        }
        await context.close();
      }

      const firstScreen = await browser.newContext({ viewport: FIRST_SCREEN });
      await t.test(`375x667 the menu opens without JavaScript and every item can be reached`, { timeout: 60_000 }, async () => {
        const { page } = await open(firstScreen, `${origin}${BASE_PATH}${pages[0]}`, origin);
        try {
          const toggle = page.locator(".menu__toggle");
          assert.equal(await toggle.count(), 1, "the header has one menu button");
          assert.equal(await page.locator(".nav__link").first().isVisible(), false, "the menu starts closed on a phone");
          await toggle.focus();
          await page.keyboard.press("Enter");
          const links = page.locator(".nav__link");
          for (let i = 0; i < (await links.count()); i++) {
            assert.ok(await links.nth(i).isVisible(), `menu item ${i + 1} shows once the menu is open`);
          }
          // The menu starts with the search form, on every page but the search page.
          const reached = [];
          for (let i = 0; i < 3 && reached.at(-1) !== "nav__link"; i++) {
            await page.keyboard.press("Tab");
            reached.push(await page.evaluate(() => document.activeElement?.className));
          }
          assert.ok(
            ["nav__link", "search__input"].includes(reached[0]) && reached.at(-1) === "nav__link",
            `Tab moves from the menu button into the menu, through its search form: ${reached}`,
          );
        } finally {
          await page.close();
        }
      });
      await firstScreen.close();

      const narrow = await browser.newContext({ viewport: { width: 320, height: 640 } });
      for (const path of pages) {
        await t.test(`320px ${BASE_PATH}${path} has no horizontal scroll`, { timeout: 60_000 }, async () => {
          const { page } = await open(narrow, `${origin}${BASE_PATH}${path}`, origin);
          const overflow = await page.evaluate(
            () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
          );
          await page.close();
          assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
        });
      }
      await narrow.close();
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
}
