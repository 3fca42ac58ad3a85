// Serves a built site folder on 127.0.0.1 for the browser tests, under the path it
// was built for, as a council would host it.
import { createServer } from "node:http";
import { readFile, readdir } from "node:fs/promises";
import { join, extname, normalize } from "node:path";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".svg": "image/svg+xml",
  ".xml": "application/xml",
  ".txt": "text/plain; charset=utf-8",
};

/** The path a site was built for, from its sitemap, such as "/start-for-life/" or "/". */
export async function basePathOf(root) {
  const sitemap = await readFile(join(root, "sitemap.xml"), "utf8");
  return new URL(sitemap.match(/<loc>([^<]+)<\/loc>/)[1]).pathname;
}

/** Serves a folder under BASE_PATH, with its 404.html for anything missing. */
export function serve(root, BASE_PATH) {
  const server = createServer(async (request, response) => {
    const path = decodeURIComponent(new URL(request.url, "http://127.0.0.1").pathname);
    let file = null;
    if (path.startsWith(BASE_PATH)) {
      const relative = normalize(path.slice(BASE_PATH.length));
      if (!relative.startsWith("..")) {
        file = join(root, relative, path.endsWith("/") ? "index.html" : "");
      }
    }
    try {
      const body = await readFile(file);
      response.writeHead(200, { "content-type": TYPES[extname(file)] || "application/octet-stream" });
      response.end(body);
    } catch {
      response.writeHead(404, { "content-type": TYPES[".html"] });
      response.end(await readFile(join(root, "404.html")));
    }
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}

/** Every page of a built site, as a path under its root: `` for the home page,
 * `crying/` for a page, and `404.html`. */
export async function pagesOf(root, folder = "") {
  const pages = [];
  for (const entry of await readdir(join(root, folder), { withFileTypes: true })) {
    const relative = folder ? `${folder}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      pages.push(...(await pagesOf(root, relative)));
    } else if (entry.name === "index.html") {
      pages.push(folder ? `${folder}/` : "");
    } else if (entry.name === "404.html" && !folder) {
      pages.push("404.html");
    }
  }
  return pages.sort();
}
