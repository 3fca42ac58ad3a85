// Printing, in Chromium, as a health visitor would print for a family:
//
//   PRINT_SITES=/path/to/site:/path/to/council-site node --test print.test.mjs
//
// For each built site, the whole guide (/print/), the crying plan and three
// ordinary pages are printed to A4 PDFs with Chromium's own `page.pdf`, and read
// back with poppler's pdftotext and pdfinfo. A PDF must hold every title it should,
// the 999 and 111 calls and the council's own lines, and nothing of the menu,
// the skip link or the footer's links. The crying plan is one sheet; the shipped
// site's booklet at most 40. The booklet's cover and back page are turned into
// pictures with pdftoppm, and zbarimg (ZBar) must read the site's address from the
// QR code on each. In print media, a care card must show its urgency in words and
// by the weight of its border, in dark text, in its styles and in a screenshot.
// Set SCREENSHOTS to a folder to keep a picture of each page as printed there.
// Without PRINT_SITES the test is skipped.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { launchChromium } from "./chromium.mjs";
import { basePathOf, pagesOf, serve } from "./static-site.mjs";

const run = promisify(execFile);
const PRINT_SITES = (process.env.PRINT_SITES || "").split(":").filter(Boolean);
/** The most sheets the shipped guide may take. */
const MOST_BOOKLET_PAGES = 40;
/** Words of the parts of a page that paper has no use for. */
const NOT_ON_PAPER = ["Skip to main content", "Urgent help: 999 or 111", "Accessibility statement", "Privacy and cookies", "About this website"];

if (PRINT_SITES.length === 0) {
  test("printing", { skip: "set PRINT_SITES to the built site folders to print, separated by ':'" }, () => {});
}

let browser;
let work;

before(async () => {
  browser = await launchChromium();
  work = await mkdtemp(join(tmpdir(), "tellyou-print-"));
});

after(async () => {
  await browser?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

/** The text of a PDF, with every run of white space as one space. */
async function pdfText(file) {
  const { stdout } = await run("pdftotext", ["-enc", "UTF-8", file, "-"]);
  return stdout.replace(/\s+/g, " ");
}

/** How many sheets a PDF has. */
async function sheets(file) {
  const { stdout } = await run("pdfinfo", [file]);
  return Number(stdout.match(/^Pages:\s+(\d+)/m)[1]);
}

/** What zbarimg reads from the QR codes on sheet `number` of a PDF. */
async function qrCodesOn(file, number) {
  const picture = join(work, `${basename(file, ".pdf")}-${number}`);
  await run("pdftoppm", ["-r", "150", "-png", "-singlefile", "-f", String(number), "-l", String(number), file, picture]);
  const { stdout } = await run("zbarimg", ["--raw", "-q", `${picture}.png`]).catch((error) => error);
  return (stdout || "").split("\n").filter(Boolean);
}


/** The text of the first `selector` in `html`, read by the browser's own parser. */
async function textsOf(page, html, selector) {
  return page.evaluate(
    ([html, selector]) =>
      [...new DOMParser().parseFromString(html, "text/html").querySelectorAll(selector)].map((element) =>
        element.textContent.replace(/\s+/g, " ").trim(),
      ),
    [html, selector],
  );
}

/** What a PNG screenshot shows, read in a blank page of the browser: how many dark
 * pixels run in from its left edge at half its height, and what share of all its
 * pixels are dark. */
async function darkPixels(png) {
  const blank = await browser.newPage();
  try {
    return await blank.evaluate(async (source) => {
      const image = new Image();
      image.src = source;
      await image.decode();
      const canvas = document.createElement("canvas");
      [canvas.width, canvas.height] = [image.width, image.height];
      const context = canvas.getContext("2d");
      context.drawImage(image, 0, 0);
      const { data } = context.getImageData(0, 0, image.width, image.height);
      const dark = (x, y) => {
        const at = 4 * (y * image.width + x);
        return data[at] + data[at + 1] + data[at + 2] < 3 * 80;
      };
      let border = 0;
      while (border < image.width && dark(border, Math.floor(image.height / 2))) border++;
      let ink = 0;
      for (let y = 0; y < image.height; y++) for (let x = 0; x < image.width; x++) if (dark(x, y)) ink++;
      return [border, ink / (image.width * image.height)];
    }, `data:image/png;base64,${png.toString("base64")}`);
  } finally {
    await blank.close();
  }
}

/** Prints the page at `url` to an A4 PDF, and gives the file's path. */
async function print(page, url, name) {
  await page.goto(url, { waitUntil: "load" });
  const file = join(work, `${name}.pdf`);
  await page.pdf({ path: file, format: "A4" });
  return file;
}

for (const root of PRINT_SITES) {
  test(`printing ${root}`, async (t) => {
    const BASE_PATH = await basePathOf(root);
    const server = await serve(root, BASE_PATH);
    const origin = `http://127.0.0.1:${server.address().port}`;
    const context = await browser.newContext();
    const page = await context.newPage();
    const requests = [];
    page.on("request", (request) => {
      if (!request.url().startsWith(origin)) requests.push(request.url());
    });
    const site = basename(root);
    const address = (await readFile(join(root, "sitemap.xml"), "utf8")).match(/<loc>([^<]+)<\/loc>/)[1];
    const titles = {};
    for (const path of (await pagesOf(root)).filter((path) => path !== "404.html")) {
      const html = await readFile(join(root, path, "index.html"), "utf8");
      const [h1] = await textsOf(page, html, "h1");
      if (!/http-equiv=["']?refresh/i.test(html)) titles[path] = h1;
    }
    // The pages made from every page, and the statements, are not pages of the guide.
    const notGuide = ["print/", "accessibility/", "privacy/", "a-z/", "search/"];
    const inBooklet = Object.keys(titles).filter((path) => !notGuide.includes(path));
    // The council's own lines, as its urgent help page gives them.
    const urgentHtml = await readFile(join(root, "urgent", "index.html"), "utf8");
    const councilLines = await textsOf(page, urgentHtml, ".local-services a[href^='tel:']");
    const isCouncil = councilLines.length > 0;
    try {
      await t.test("the booklet holds every page, every urgent route and the council's lines, and none of the menu", async () => {
        const file = await print(page, `${origin}${BASE_PATH}print/`, `${site}-booklet`);
        const text = await pdfText(file);
        for (const path of inBooklet) {
          assert.ok(text.includes(titles[path]), `the booklet has the title of /${path}: ${titles[path]}`);
        }
        assert.match(text, /Call 999 if your baby or anyone else is in danger now/);
        assert.match(text, /Call 111 if you are worried about your baby/);
        assert.match(text, /choose the mental health option/);
        for (const line of councilLines) assert.ok(text.includes(line), `the booklet has the council's line ${line}`);
        for (const words of NOT_ON_PAPER) assert.ok(!text.includes(words), `the booklet does not print "${words}"`);
        assert.ok(text.includes(address), "the booklet prints the site's address");
        const count = await sheets(file);
        if (!isCouncil) assert.ok(count <= MOST_BOOKLET_PAGES, `the shipped booklet is ${count} sheets, more than ${MOST_BOOKLET_PAGES}`);
        assert.deepEqual(await qrCodesOn(file, 1), [address], "the cover's QR code leads to the site");
        assert.deepEqual(await qrCodesOn(file, count), [address], "the back page's QR code leads to the site");
      });

      await t.test("the crying plan is one sheet with the steps, the calls to make and room for names", async () => {
        const file = await print(page, `${origin}${BASE_PATH}crying/plan/`, `${site}-plan`);
        assert.equal(await sheets(file), 1, "the crying plan prints on one sheet");
        const text = await pdfText(file);
        for (const words of [titles["crying/plan/"], "Never shake a baby", "Call 999 or go to A&E now if", "Call 111 if", "People I can call", "Someone who can take over", "Page last reviewed", "Sources"]) {
          assert.ok(text.includes(words), `the crying plan prints "${words}"`);
        }
        for (const line of councilLines) assert.ok(text.includes(line), `the crying plan has the council's line ${line}`);
        for (const words of NOT_ON_PAPER) assert.ok(!text.includes(words), `the crying plan does not print "${words}"`);
      });

      for (const path of ["urgent/", "crying/when-to-get-help/", isCouncil ? "support/" : "cues/"]) {
        await t.test(`/${path} prints its title, address, sources and urgent calls, and none of the menu`, async () => {
          const file = await print(page, `${origin}${BASE_PATH}${path}`, `${site}-${path.replace(/\//g, "_")}`);
          const text = await pdfText(file);
          assert.ok(text.includes(titles[path]), `it prints its title: ${titles[path]}`);
          assert.ok(text.includes(`${address}${path}`), "it prints its own address");
          assert.match(text, /999/);
          assert.match(text, /111/);
          assert.match(text, /Page last reviewed/);
          for (const words of NOT_ON_PAPER) assert.ok(!text.includes(words), `it does not print "${words}"`);
          if (path === "support/") {
            for (const line of councilLines) assert.ok(text.includes(line), `it has the council's line ${line}`);
          }
        });
      }

      await t.test("on paper a care card shows its urgency in words and by its border, in dark text", async () => {
        await page.goto(`${origin}${BASE_PATH}crying/when-to-get-help/`, { waitUntil: "load" });
        await page.emulateMedia({ media: "print" });
        const cards = await page.evaluate(() =>
          [...document.querySelectorAll(".care-card")].map((card) => {
            const prefix = card.querySelector(".care-card__heading .visually-hidden");
            const box = prefix.getBoundingClientRect();
            const light = [...card.querySelectorAll("*")].filter((element) => {
              const [r, g, b] = getComputedStyle(element).color.match(/\d+/g).map(Number);
              return r + g + b > 3 * 100;
            });
            return {
              kind: ["emergency", "urgent", "non-urgent"].find((kind) => card.classList.contains(`care-card--${kind}`)),
              border: parseFloat(getComputedStyle(card).borderTopWidth),
              prefix: prefix.textContent.trim(),
              prefixShown: box.width > 20 && box.height > 5,
              light: light.map((element) => element.outerHTML.slice(0, 60)),
            };
          }),
        );
        assert.ok(cards.length >= 2, "the page has care cards");
        const weight = {};
        for (const card of cards) {
          assert.ok(card.prefixShown, `the ${card.kind} card's "${card.prefix}" shows on paper`);
          assert.deepEqual(card.light, [], `the ${card.kind} card's text is dark on paper`);
          weight[card.kind] = card.border;
        }
        assert.ok(weight.emergency > weight.urgent, `an emergency card's border (${weight.emergency}px) is heavier than an urgent one's (${weight.urgent}px)`);
        // What a screenshot of each card shows: the black of its border, from its
        // left edge inwards, and the words of its urgency in dark ink.
        const seen = {};
        for (const kind of ["emergency", "urgent"]) {
          const card = page.locator(`.care-card--${kind}`).first();
          const [border] = await darkPixels(await card.screenshot());
          const [, ink] = await darkPixels(await card.locator(".care-card__heading .visually-hidden").screenshot());
          assert.ok(ink > 0.005, `the ${kind} card's urgency in words shows in a screenshot (${ink} of it is dark)`);
          seen[kind] = border;
        }
        assert.ok(seen.emergency > seen.urgent && seen.urgent >= 3, `the screenshots show a heavier border for the more urgent card: ${JSON.stringify(seen)}`);
        const hidden = await page.evaluate(() =>
          [".skip-link", ".urgent-bar", ".menu", ".pagination", ".footer__links"]
            .filter((selector) => document.querySelector(selector)?.checkVisibility()),
        );
        assert.deepEqual(hidden, [], "navigation is not shown on paper");
        if (process.env.SCREENSHOTS) {
          await page.screenshot({ path: join(process.env.SCREENSHOTS, `${site}-print-when-to-get-help.png`), fullPage: true });
        }
        await page.emulateMedia({ media: "screen" });
      });

      assert.deepEqual(requests, [], "printing asks nothing of another host");
    } finally {
      await context.close();
      server.close();
    }
  });
}
