/* pnyx inline feedback: prompts after publishers' passages, passages readers select, highlights that follow edits.
   embed.js loads this on pages with [data-pnyx-article] or [data-pnyx-inline]. Its markup and strings are templates
   of the thread fragment; the comments in a panel are pnyx's own fragment, enhanced by embed.js's code. */
(() => {
  "use strict";
  const P = window.pnyx && window.pnyx._;
  if (!P || P.inline) return;
  P.inline = true;
  const { ORIGIN, api, fragment, config, thread } = P;
  const $ = (root, sel) => root.querySelector(sel);
  const $$ = (root, sel) => [...root.querySelectorAll(sel)];
  const MAX = 1000, AROUND = 64;
  const BLOCKISH = /^(UL|OL|DL|TABLE|THEAD|TBODY|TFOOT|TR)$/;
  const article = $(document, "[data-pnyx-article]");
  const host = $(document, "#pnyx-thread, #disqus_thread, [data-pnyx-site]:not(script):not([data-pnyx-count])");
  const cfg = config(host || article || document.documentElement);
  const spots = new Map(); // anchor id -> spot: a passage or prompt, with its opener, marks and count
  let frag, T, lang, open = null, pick = null, tip = null, tipTimer = 0;

  const clone = (name) => $(frag, `template[data-tpl="${name}"]`).content.cloneNode(true);
  const plural = (name, n) => {
    const f = JSON.parse(T.dataset[name]);
    return (f[new Intl.PluralRules(lang).select(n)] || f.other).replace("{n}", n);
  };
  const anchorOf = (c) => c.anchor && c.anchor.id;
  const put = (at, el) => (at === article ? article.append(el) : at.after(el));
  const inline = (el) => /^inline/.test(getComputedStyle(el).display);
  const panelOf = (more) => fragment("/embed/thread", { ...cfg, ...more });

  function sheet(name) {
    const link = Object.assign(document.createElement("link"), { rel: "stylesheet", href: ORIGIN + "/" + name });
    link.loaded = new Promise((ok) => { link.onload = link.onerror = ok; });
    return link;
  }

  // A host element in the page; its shadow root holds one template, shown once both stylesheets are in.
  function shadow(name, cls) {
    const el = document.createElement("pnyx-" + name), links = [sheet("embed.css"), sheet("inline.css")];
    el.attachShadow({ mode: "open" }).append(...links, clone("inline-" + name));
    el.className = cls;
    el.hidden = true;
    el.ready = Promise.all(links.map((l) => l.loaded)).then(() => { el.hidden = false; });
    if (host && host.dataset.pnyxTheme) el.dataset.pnyxTheme = host.dataset.pnyxTheme;
    return el;
  }

  // Where a panel goes: after the passage's block, but not inside a list or a table, whose structure it would break.
  function blockOf(node) {
    let el = node.nodeType === 1 ? node : node.parentElement;
    while (el !== article && (inline(el) || BLOCKISH.test(el.parentElement.tagName))) el = el.parentElement;
    return el;
  }

  function relabel(s) {
    const o = s.opener, n = s.count;
    if (s.type === "prompt") {
      const q = s.question || T.dataset.prompt;
      o.setAttribute("aria-label", q + (/[.?!:…]$/.test(q) ? " " : ", ") + plural("comments", n));
      $(o, ".pnyx-n").textContent = n;
    } else if (s.type === "mark" && o.getAttribute("role")) {
      // Its words are in its name too: a screen reader reading the paragraph would otherwise skip them.
      o.setAttribute("aria-label", plural("passage", n) + ": " + o.textContent.replace(/\s+/g, " ").trim());
    } else if (s.type === "orphan") {
      o.textContent = plural("show", n);
    }
  }

  // Publisher prompts: a button right after the element, in a shadow root of its own.
  function prompt(el) {
    const label = el.dataset.pnyxInline;
    const spot = [...spots.values()].find((s) => s.kind === "publisher" && s.label === label) ||
      { kind: "publisher", label, count: 0 };
    const h = shadow("prompt", inline(el) ? "" : "pnyx-block");
    /^(LI|DT|DD|TD|TH)$/.test(el.tagName) ? el.append(h) : el.after(h);
    Object.assign(spot, { type: "prompt", question: el.dataset.pnyxQuestion || "", at: h });
    spot.opener = $(h.shadowRoot, "button");
    $(h.shadowRoot, ".pnyx-q").textContent = spot.question;
    spot.opener.addEventListener("click", () => toggle(spot));
    relabel(spot);
  }

  // Positions are offsets into the article element's textContent; these are its text nodes covering [start, end).
  function pieces(start, end) {
    const walk = document.createTreeWalker(article, NodeFilter.SHOW_TEXT), found = [];
    for (let pos = 0, node; pos < end && (node = walk.nextNode()); pos += node.length) {
      if (pos + node.length > start) found.push([node, Math.max(0, start - pos), Math.min(node.length, end - pos)]);
    }
    return found;
  }

  // A highlight: <mark> around each piece of the passage's text (whitespace between blocks and code left alone).
  function wrap(start, end) {
    const marks = [];
    for (let [node, a, b] of pieces(start, end)) {
      if (!node.data.trim() || node.parentElement.closest("script, style, textarea")) continue;
      if (b < node.length) node.splitText(b);
      if (a) node = node.splitText(a);
      const m = Object.assign(document.createElement("mark"), { className: "pnyx-hl" });
      node.replaceWith(m);
      m.append(node);
      marks.push(m);
    }
    return marks;
  }

  function unwrap(marks) {
    for (const m of marks) {
      const parent = m.parentNode;
      m.replaceWith(...m.childNodes);
      parent.normalize();
    }
  }

  // The first mark of an anchored passage is its button: focusable, named by its count and words.
  function arm(spot) {
    const first = spot.marks.find((m) => !m.parentElement.closest("a, button, label"));
    for (const m of spot.marks) m.spot = spot;
    spot.type = "mark";
    spot.at = blockOf(spot.marks[spot.marks.length - 1]);
    spot.opener = first || spot.marks[0];
    if (!first) return; // all inside links: a click opens it, the keyboard finds its comments in the block below
    first.tabIndex = 0;
    first.setAttribute("role", "button");
    first.setAttribute("aria-expanded", "false");
    relabel(spot);
  }

  // W3C Web Annotation selectors of text.slice(start, end); the context stops short of splitting a character.
  function selector(text, start, end) {
    const prefix = [...text.slice(Math.max(0, start - 2 * AROUND), start)].slice(-AROUND).join("");
    const suffix = [...text.slice(end, end + 2 * AROUND)].slice(0, AROUND).join("");
    return [
      { type: "TextQuoteSelector", exact: text.slice(start, end), prefix, suffix },
      { type: "TextPositionSelector", start, end },
    ];
  }

  // A passage is named by its selector as first stored (pnyx lists it): the same selector is the same anchor.
  function anchorFor(s) {
    if (s.kind === "publisher") return { kind: "publisher", id: s.label, question: s.question || undefined };
    return { kind: "reader", selector: s.selector };
  }

  // The reader's selection inside the article, as offsets into its text, without whitespace at either end.
  function chosen() {
    const sel = getSelection();
    if (!sel.rangeCount || sel.isCollapsed) return null;
    const r = sel.getRangeAt(0), text = article.textContent, before = document.createRange();
    if (!article.contains(r.commonAncestorContainer)) return null;
    before.setStart(article, 0);
    before.setEnd(r.startContainer, r.startOffset);
    let start = before.toString().length, end = start + r.toString().length;
    while (start < end && /\s/.test(text[start])) start++;
    while (end > start && /\s/.test(text[end - 1])) end--;
    return start < end && { text, start, end, r };
  }

  // Places a floating host just below `rect`, within the window (through the CSS object model, which CSPs allow).
  function float(el, rect) {
    el.style.left = el.style.top = "0px";
    const o = el.getBoundingClientRect(), room = document.documentElement.clientWidth - el.offsetWidth - 8;
    el.style.left = Math.max(8, Math.min(rect.left, room)) - o.left + "px";
    el.style.top = rect.bottom + 6 - o.top + "px";
  }

  // The "Comment on this passage" button: floats below the selection, sits in the page after the selection's block.
  function selected() {
    if (open && open.spot.type === "new") return;
    const c = chosen();
    if (!c) return document.activeElement !== pick && pick.remove();
    const long = [...c.text.slice(c.start, c.end)].length > MAX;
    const rects = [...c.r.getClientRects()].filter((r) => r.width);
    $(pick.shadowRoot, "button").hidden = long;
    $(pick.shadowRoot, ".pnyx-long").hidden = !long;
    pick.sel = c;
    put(blockOf(c.r.endContainer), pick);
    if (rects.length) pick.ready.then(() => float(pick, rects[rects.length - 1]));
  }

  function choose() {
    const { text, start, end } = pick.sel;
    const spot = { kind: "reader", type: "new", count: 0, exact: text.slice(start, end) };
    Object.assign(spot, { selector: selector(text, start, end), marks: wrap(start, end), at: pick });
    spot.opener = $(pick.shadowRoot, "button");
    getSelection().removeAllRanges();
    show(spot);
  }

  // The panel: the passage's comments (pnyx's fragment) or, for a passage nobody has answered yet, a first form.
  async function show(spot) {
    close(false);
    unpeek(true);
    const h = shadow("panel", "pnyx-block"), R = h.shadowRoot, me = (open = { spot, h });
    const quote = $(R, ".pnyx-quote");
    $(R, "h2").textContent = spot.question || T.dataset.panel;
    quote.textContent = spot.exact || "";
    quote.hidden = !spot.exact || spot.type === "orphan"; // an orphan's quote is right above its button
    $(R, "[data-close]").addEventListener("click", () => close());
    R.addEventListener("keydown", (e) => { if (e.key === "Escape" && !e.defaultPrevented) close(); });
    put(spot.at, h);
    spot.opener.setAttribute("aria-expanded", "true");
    for (const m of spot.marks || []) m.classList.add("is-open");
    const sec = $(spot.id ? await panelOf({ anchor: spot.id }) : clone("inline-new"), "section");
    if (open !== me || !sec) return;
    // The panel's comments take replies, edits and reports as in the block below: they need its form templates.
    if (!$(sec, 'template[data-tpl="reply"]')) {
      for (const t of $$(frag, 'template[data-tpl]:not([data-tpl^="inline"])')) sec.append(t.cloneNode(true));
    }
    $(R, ".pnyx-panel").append(sec);
    me.sec = sec;
    if (!sec.classList.contains("pnyx-failed")) {
      const part = "inline:" + (spot.label || spot.id || spot.exact.slice(0, 40));
      thread(R, sec, cfg, { anchor: () => anchorFor(spot), part, accepts: (c) => anchorOf(c) === spot.id });
    }
    await h.ready;
    if (open === me) ($(sec, "textarea") || $(R, "[data-close]")).focus();
  }

  function close(refocus = true) {
    if (!open) return;
    const { spot, h } = open;
    open = null;
    h.remove();
    spot.opener.setAttribute("aria-expanded", "false");
    for (const m of spot.marks || []) m.classList.remove("is-open");
    if (spot.type === "new") unwrap(spot.marks); // nobody answered: the passage is not kept
    if (refocus) spot.opener.focus();
  }

  function toggle(spot) {
    if (open && open.spot === spot) return close();
    show(spot).catch((err) => console.warn("pnyx:", err));
  }

  // A comment posted in a panel (or a reply anywhere) counts for its passage; a first one creates the anchor.
  function follow(e) {
    const d = e.detail, c = d.comment, mine = open && open.sec === d.from;
    if (d.cfg.site !== cfg.site || d.cfg.key !== cfg.key) return;
    if (d.what === "removed" && mine) open.spot.count--;
    const id = c && anchorOf(c), spot = (id && spots.get(id)) || (mine && id && open.spot);
    if (spot && d.what === "posted") {
      if (!spot.id) adopt(spot, id);
      spot.count++;
      spot.preview = null;
    }
    if (spot || mine) relabel(spot || open.spot);
  }

  function adopt(spot, id) {
    spot.id = id;
    spots.set(id, spot);
    if (spot.type !== "new") return;
    arm(spot); // the passage is kept now: its highlight takes over from the button
    spot.opener.setAttribute("aria-expanded", "true");
    pick.remove();
  }

  // Hovering or focusing a highlight previews its first comments; Enter or a click opens the panel.
  function peek(spot, m) {
    clearTimeout(tipTimer);
    if (!spot.id || (open && open.spot === spot)) return;
    if (!tip) {
      tip = shadow("preview", "pnyx-float");
      tip.setAttribute("aria-hidden", "true"); // a glance at what the panel reads out in full
      tip.addEventListener("mouseenter", () => clearTimeout(tipTimer));
      tip.addEventListener("mouseleave", () => unpeek());
    }
    const R = tip.shadowRoot, ol = $(R, "ol"), place = () => float(tip, m.getBoundingClientRect());
    tip.spot = spot;
    $(R, ".pnyx-preview-n").textContent = plural("comments", spot.count);
    ol.replaceChildren();
    document.body.append(tip);
    tip.ready.then(place);
    spot.preview = spot.preview || panelOf({ anchor: spot.id });
    spot.preview.then((f) => {
      if (tip.spot !== spot) return;
      for (const a of $$(f, "article.pnyx-comment:not(.pnyx-deleted)").slice(0, 2)) {
        const li = document.createElement("li"), who = document.createElement("b");
        const said = $(a, ".pnyx-text").textContent.trim();
        who.textContent = $(a, ".pnyx-name").textContent + ": ";
        li.append(who, said.length > 140 ? said.slice(0, 139) + "…" : said);
        ol.append(li);
      }
      tip.ready.then(place);
    }, () => {});
  }

  function unpeek(now) {
    clearTimeout(tipTimer);
    tipTimer = setTimeout(() => { if (tip) { tip.remove(); tip.spot = null; } }, now ? 0 : 300);
  }

  function watch() {
    const markOf = (e) => e.target.closest && e.target.closest("mark.pnyx-hl");
    const act = (e) => {
      const m = markOf(e);
      if (!m || !m.spot.id || (e.type === "click" && !getSelection().isCollapsed)) return false;
      toggle(m.spot);
      return true;
    };
    let timer = 0;
    pick = shadow("pick", "pnyx-float");
    const b = $(pick.shadowRoot, "button");
    b.addEventListener("mousedown", (e) => e.preventDefault()); // keeps the selection
    b.addEventListener("click", choose);
    pick.addEventListener("focusout", () => setTimeout(selected)); // goes with the focus once nothing is selected
    article.append(pick); // loads its styles, so it can take the focus the first time it shows
    pick.ready.then(selected);
    document.addEventListener("selectionchange", () => { clearTimeout(timer); timer = setTimeout(selected, 120); });
    article.addEventListener("click", act);
    article.addEventListener("keydown", (e) => {
      if ((e.key === "Enter" || e.key === " ") && act(e)) e.preventDefault();
    });
    for (const type of ["mouseover", "focusin"]) {
      article.addEventListener(type, (e) => { const m = markOf(e); if (m) peek(m.spot, m); });
    }
    for (const type of ["mouseout", "focusout"]) {
      article.addEventListener(type, (e) => { if (markOf(e)) unpeek(type === "focusout"); });
    }
    document.addEventListener("keydown", (e) => {
      if (e.key === "Escape" && tip && tip.isConnected) unpeek(true);
      if (e.key !== "Tab" || e.shiftKey) return;
      // Tab right after selecting (with caret browsing, say) goes to the passage button, wherever the caret is.
      clearTimeout(timer);
      selected();
      const from = document.activeElement;
      const inside = article.contains(from) && from !== pick && from.localName !== "pnyx-panel";
      const near = from === document.body || inside;
      if (near && pick.isConnected && !b.hidden && chosen()) {
        e.preventDefault();
        b.focus();
      }
    });
  }

  // Anchored comments whose passage the article no longer has are listed after it, never dropped.
  function orphans(lost) {
    if (!lost.length) return;
    const h = shadow("orphans", "pnyx-block"), ul = $(h.shadowRoot, "ul");
    lost.forEach((spot, i) => {
      const li = $(clone("inline-orphan"), "li"), q = $(li, "blockquote"), b = $(li, "button");
      q.id += "-" + i;
      b.setAttribute("aria-describedby", q.id);
      q.textContent = spot.exact || spot.question || spot.label;
      Object.assign(spot, { type: "orphan", opener: b, at: b });
      b.addEventListener("click", () => toggle(spot));
      relabel(spot);
      ul.append(li);
    });
    article ? article.after(h) : put(host || document.body.lastElementChild, h);
  }

  async function start() {
    const text = article ? article.textContent : "", where = { site: cfg.site, key: cfg.key };
    const located = article
      ? api("POST", "/api/v1/anchors/locate", { ...where, text })
      : api("GET", "/api/v1/anchors?" + new URLSearchParams(where));
    const [f, found] = await Promise.all([panelOf({}), located.then((d) => d.anchors, () => [])]);
    frag = f;
    T = $(frag, 'template[data-tpl="inline"]');
    if (!T) return; // pnyx refused the thread: nothing to anchor to
    lang = T.dataset.lang;
    const lost = [];
    for (const a of found) {
      const spot = { ...a, type: null };
      spots.set(a.id, spot);
      if (a.kind !== "reader") continue;
      if (article && a.match !== "orphan" && a.start != null) {
        Object.assign(spot, { exact: text.slice(a.start, a.end), marks: wrap(a.start, a.end) });
        if (spot.marks.length) { arm(spot); continue; }
      }
      lost.push(spot);
    }
    for (const el of $$(document, "[data-pnyx-inline]")) prompt(el);
    for (const s of spots.values()) if (s.kind === "publisher" && !s.type) lost.push(s);
    orphans(lost);
    document.addEventListener("pnyx:change", follow);
    if (article) watch();
  }

  start().catch((err) => console.warn("pnyx:", err));
})();
