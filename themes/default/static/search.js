// The search page's own search: it asks the site's Pagefind index, in the
// browser, and shows what it finds in the page's own markup. No word typed here
// leaves the site. Without this script, the form reloads the page, which lists
// every topic from A to Z.

const form = document.querySelector("[data-search-form]");
const results = document.querySelector("[data-search-results]");
const input = form && form.querySelector("input[name=q]");
const status = results && results.querySelector("[role=status]");
const list = results && results.querySelector("ol");
const SHOWN = 10;
const HEADINGS_SHOWN = 3;
let pagefind = null;
let latest = 0;

function say(message, query, count) {
  status.textContent = message
    .replace("%query%", query)
    .replace("%count%", String(count));
}

async function loadIndex() {
  if (!pagefind) {
    pagefind = await import(new URL("pagefind/pagefind.js", import.meta.url).href);
    // Addresses in the index are from the site's home: the folder of this script.
    await pagefind.options({ baseUrl: new URL(".", import.meta.url).pathname });
  }
  return pagefind;
}

// The excerpt's words, with the words found marked, built as text: nothing in an
// excerpt is read as HTML but Pagefind's own <mark>.
function excerptOf(html) {
  const paragraph = document.createElement("p");
  paragraph.className = "search-results__excerpt";
  html.split(/(<mark>[^<]*<\/mark>)/).forEach((part) => {
    const marked = part.match(/^<mark>([^<]*)<\/mark>$/);
    // A detached <textarea> turns entities into text and makes no elements.
    const decoder = document.createElement("textarea");
    decoder.innerHTML = marked ? marked[1] : part;
    const text = decoder.value;
    if (marked) {
      const mark = document.createElement("mark");
      mark.textContent = text;
      paragraph.append(mark);
    } else {
      paragraph.append(text);
    }
  });
  return paragraph;
}

function link(url, text) {
  const anchor = document.createElement("a");
  anchor.href = url;
  anchor.textContent = text;
  return anchor;
}

function resultItem(data) {
  const item = document.createElement("li");
  item.className = "search-results__item";
  const heading = document.createElement("h2");
  heading.className = "search-results__title";
  heading.append(link(data.url, data.meta.title || data.url));
  item.append(heading, excerptOf(data.excerpt));
  const headings = (data.sub_results || [])
    .filter((sub) => sub.url.includes("#"))
    .slice(0, HEADINGS_SHOWN);
  if (headings.length) {
    const parts = document.createElement("ul");
    parts.className = "search-results__parts";
    headings.forEach((sub) => {
      const part = document.createElement("li");
      part.append(link(sub.url, sub.title));
      parts.append(part);
    });
    item.append(parts);
  }
  return item;
}

async function search(query) {
  const asked = ++latest;
  list.replaceChildren();
  if (!query) {
    status.textContent = "";
    return;
  }
  say(results.dataset.searching, query, 0);
  try {
    const index = await loadIndex();
    const found = await index.search(query);
    const shown = await Promise.all(found.results.slice(0, SHOWN).map((r) => r.data()));
    if (asked !== latest) return;
    const message = found.results.length ? results.dataset.found : results.dataset.none;
    say(message, query, found.results.length);
    list.replaceChildren(...shown.map(resultItem));
  } catch (error) {
    if (asked === latest) say(results.dataset.failed, query, 0);
  }
}

if (form && results && input && status && list) {
  const query = new URLSearchParams(location.search).get("q") || "";
  input.value = query;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const words = input.value.trim();
    const address = new URL(location.href);
    address.searchParams.set("q", words);
    history.replaceState(null, "", address);
    search(words);
  });
  search(query.trim());
}
