// Real-browser checks of a translated site, run with Node's test runner:
//
//   TRANSLATED_SITE=/path/to/site node --test translations.test.mjs
//
// The site is the fixture tests/fixtures/translations/_base, built for a base path.
// Its pages are in English, Polish (written left to right) and Urdu (written right
// to left). Every page must say its language and direction; every version of a page
// must name every other, both ways; the language switcher must list only the
// languages the page is in, each in its own script; a link to a page that is not
// translated must say, visibly, that it goes to English; and pages written right to
// left must be laid out from the right at phone and desktop sizes, with phone
// numbers kept left to right. axe-core and the first-screen checks run on these
// pages in site.test.mjs, which is given the same folder.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { launchChromium } from "./chromium.mjs";
import { basePathOf, serve } from "./static-site.mjs";

const ROOT = process.env.TRANSLATED_SITE;
if (!ROOT) {
  throw new Error("set TRANSLATED_SITE to the built translated fixture site");
}

const VIEWPORTS = [
  { name: "phone", width: 375, height: 667 },
  { name: "desktop", width: 1280, height: 800 },
];

/** Each page of the fixture, with the language and direction it must have. */
const PAGES = [
  { path: "", lang: "en-GB", dir: "ltr" },
  { path: "crying/soothing/", lang: "en-GB", dir: "ltr" },
  { path: "crying/colic/", lang: "en-GB", dir: "ltr" },
  { path: "pl/", lang: "pl", dir: "ltr" },
  { path: "pl/crying/soothing/", lang: "pl", dir: "ltr" },
  { path: "pl/crying/when-to-get-help/", lang: "pl", dir: "ltr" },
  { path: "ur/", lang: "ur", dir: "rtl" },
  { path: "ur/crying/", lang: "ur", dir: "rtl" },
  { path: "ur/crying/soothing/", lang: "ur", dir: "rtl" },
];

let browser;
let server;
let origin;
let basePath;

before(async () => {
  browser = await launchChromium();
  basePath = await basePathOf(ROOT);
  server = await serve(ROOT, basePath);
  origin = `http://127.0.0.1:${server.address().port}`;
});

after(async () => {
  await browser?.close();
  server?.close();
});

/** What a page says of its languages: runs in the page. */
function languageFacts() {
  const alternates = [...document.querySelectorAll('link[rel="alternate"][hreflang]')].map((link) => ({
    hreflang: link.getAttribute("hreflang"),
    href: link.href,
  }));
  const switcher = [...document.querySelectorAll(".language-switcher a")].map((link) => ({
    hreflang: link.getAttribute("hreflang"),
    lang: link.getAttribute("lang"),
    dir: getComputedStyle(link).direction,
    name: link.textContent.trim(),
    visible: link.checkVisibility(),
    href: link.href,
  }));
  return {
    lang: document.documentElement.getAttribute("lang"),
    dir: document.documentElement.getAttribute("dir"),
    direction: getComputedStyle(document.body).direction,
    canonical: document.querySelector('link[rel="canonical"]').href,
    alternates,
    switcher,
  };
}

test("every page says its language and direction, and names every other version of itself both ways", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const facts = new Map();
  const byPath = new Map();
  for (const { path, lang, dir } of PAGES) {
    await page.goto(`${origin}${basePath}${path}`);
    const seen = await page.evaluate(languageFacts);
    assert.equal(seen.lang, lang, `${path} lang`);
    assert.equal(seen.dir, dir, `${path} dir`);
    assert.equal(seen.direction, dir, `${path} is laid out ${dir}`);
    facts.set(seen.canonical, seen);
    byPath.set(path, seen);
  }
  for (const [address, seen] of facts) {
    if (seen.alternates.length === 0) continue;
    const named = seen.alternates.filter((a) => a.hreflang !== "x-default");
    assert.ok(named.some((a) => a.href === address), `${address} names itself among its versions`);
    for (const other of named) {
      const back = facts.get(other.href);
      if (!back) continue;
      assert.ok(back.alternates.some((a) => a.href === address), `${other.href} names ${address} back`);
    }
    const fallback = seen.alternates.find((a) => a.hreflang === "x-default");
    assert.ok(fallback, `${address} has an x-default`);
    assert.equal(fallback.href, named.find((a) => a.hreflang === "en-GB").href, "x-default is the English page");
    // The switcher lists the other versions, and only those.
    const others = named.filter((a) => a.href !== address).map((a) => a.hreflang);
    assert.deepEqual(seen.switcher.map((s) => s.hreflang), others, `${address} switcher`);
    for (const link of seen.switcher) {
      assert.equal(link.lang, link.hreflang, `${link.name} is marked as in its own language`);
      assert.ok(link.visible, `${link.name} is shown`);
      assert.equal(link.dir, link.hreflang === "ur" ? "rtl" : "ltr", `${link.name} is shown in its own direction`);
    }
  }
  const colic = byPath.get("crying/colic/");
  assert.deepEqual(colic.switcher, [], "a page in one language has no switcher");
  assert.deepEqual(colic.alternates, [], "a page in one language names no other versions");
  await context.close();
});

test("a link to a page that is not translated goes to English and says so where it can be seen", async () => {
  for (const viewport of VIEWPORTS) {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    await page.goto(`${origin}${basePath}pl/crying/soothing/`);
    const link = page.locator('main a[hreflang="en-GB"]', { hasText: "kolce" });
    await link.waitFor();
    assert.match(await link.innerText(), /\(po angielsku\)/);
    assert.ok(await page.locator(".link-language", { hasText: "(po angielsku)" }).first().isVisible());
    await link.click();
    await page.waitForURL(`**${basePath}crying/colic/`);
    assert.equal(await page.evaluate(() => document.documentElement.lang), "en-GB");
    await context.close();
  }
});

test("pages written right to left are laid out from the right, with phone numbers left to right", async () => {
  for (const viewport of VIEWPORTS) {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    await page.goto(`${origin}${basePath}ur/crying/soothing/`);
    const layout = await page.evaluate(() => {
      const box = (element) => element.getBoundingClientRect();
      const crumbs = [...document.querySelectorAll(".breadcrumb__item")].map(box);
      const heading = box(document.querySelector("h1"));
      const main = box(document.querySelector("main"));
      const previous = document.querySelector(".pagination__item--previous");
      const phone = document.querySelector('main a[href="tel:999"]');
      return {
        crumbsRightToLeft: crumbs.every((crumb, i) => i === 0 || crumb.right <= crumbs[i - 1].left + 1),
        crumbs: crumbs.length,
        headingFromRight: Math.abs(heading.right - main.right) < 2,
        previousOnTheRight: previous ? box(previous).left > window.innerWidth / 2 : null,
        phoneDirection: getComputedStyle(phone).direction,
        phoneText: phone.textContent,
        scrollsSideways: document.documentElement.scrollWidth > window.innerWidth,
      };
    });
    assert.equal(layout.crumbs, 2, "the breadcrumbs are the Urdu home page and section");
    assert.ok(layout.crumbsRightToLeft, `${viewport.name}: the breadcrumbs run from right to left`);
    assert.ok(layout.headingFromRight, `${viewport.name}: the heading starts at the right`);
    if (viewport.name === "desktop") {
      assert.ok(layout.previousOnTheRight, "the link to the previous page is on the right");
    }
    assert.equal(layout.phoneDirection, "ltr", "a phone number keeps its digits in order");
    assert.equal(layout.phoneText, "999");
    assert.equal(layout.scrollsSideways, false, `${viewport.name}: nothing scrolls sideways`);
    await context.close();
  }
});

test("the sitemap lists every version of each translated page", async () => {
  const sitemap = await readFile(join(ROOT, "sitemap.xml"), "utf8");
  const loc = new RegExp(`<loc>https://[^/<]+${basePath}crying/soothing/</loc>`);
  const soothing = sitemap.split("<url>").find((entry) => loc.test(entry));
  assert.ok(soothing, "the sitemap lists the English page");
  for (const lang of ["en-GB", "pl", "ur"]) {
    assert.match(soothing, new RegExp(`hreflang="${lang}"`), `the sitemap lists the ${lang} version`);
  }
});
