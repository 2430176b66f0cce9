/* pnyx embed: server-rendered threads in shadow roots, enhanced here; comment counts. No build step. */
(() => {
  "use strict";
  if (window.pnyx) return;
  const me = document.currentScript || [...document.scripts].find((s) => /\/embed\.js(\?|$)/.test(s.src));
  const ORIGIN = new URL(me ? me.src : "/", location.href).origin;
  const SITE = me && me.dataset.pnyxSite;
  const TOKEN = "pnyx:token:" + ORIGIN;
  const DETAILS = "pnyx:details:" + ORIGIN;
  const FIELDS = ["author_name", "author_email", "website", "notify"];
  const $ = (root, sel) => root.querySelector(sel);
  const $$ = (root, sel) => [...root.querySelectorAll(sel)];
  const store = {
    get: (k) => { try { return localStorage.getItem(k); } catch { return null; } },
    set: (k, v) => { try { v ? localStorage.setItem(k, v) : localStorage.removeItem(k); } catch { /* private mode */ } },
  };
  const later = (fn, ms) => setTimeout(fn, ms || 40);
  const MERGED = 20; // at most this many of a reader's own hidden comments are fetched into a page

  // JSON API call with the reader's token; a rejected token is dropped and the call made once without it.
  async function api(method, path, body) {
    for (let retry = 0; ; retry++) {
      const token = store.get(TOKEN), headers = {};
      if (body) headers["Content-Type"] = "application/json";
      if (token) headers.Authorization = "Bearer " + token;
      const res = await fetch(ORIGIN + path, { method, headers, body: body && JSON.stringify(body) });
      if (res.status === 401 && token && !retry) { store.set(TOKEN, null); continue; }
      const data = res.status === 204 ? {} : await res.json().catch(() => ({}));
      if (data.identity_token) store.set(TOKEN, data.identity_token);
      if (!res.ok) throw Object.assign(new Error(res.status), { detail: data.detail });
      return data;
    }
  }

  // A server-rendered fragment; error answers are fragments too, with the server's sentence. `mine` sends the reader's
  // token, so an author gets their own held comment (privately); without it the request stays cacheable by anyone.
  async function fragment(path, params, mine) {
    const token = mine && store.get(TOKEN), url = ORIGIN + path + "?" + new URLSearchParams(params);
    const res = await fetch(url, token ? { headers: { Authorization: "Bearer " + token } } : undefined);
    if (res.status === 401 && token) { store.set(TOKEN, null); return fragment(path, params); }
    const t = document.createElement("template");
    t.innerHTML = await res.text();
    return t.content;
  }

  function disqus() {
    const c = { page: {} };
    try { if (typeof window.disqus_config === "function") window.disqus_config.call(c); } catch { /* theirs */ }
    return c.page;
  }

  function config(el, o = {}) {
    const d = el.dataset, canon = $(document, 'link[rel="canonical"]');
    const page = (canon && canon.href) || location.href.split("#")[0];
    const dq = el.id === "disqus_thread" ? disqus() : {};
    return {
      site: o.site || d.pnyxSite || SITE,
      key: o.key || d.pnyxKey || d.disqusIdentifier || dq.identifier || page,
      url: o.url || d.pnyxUrl || dq.url || page,
      title: o.title || d.pnyxTitle || dq.title || document.title,
      lang: o.lang || d.pnyxLang || document.documentElement.lang || navigator.language,
    };
  }

  async function render(el, cfg) {
    const root = el.shadowRoot || el.attachShadow({ mode: "open" });
    const css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = ORIGIN + "/embed.css";
    const styled = new Promise((ok) => { css.onload = css.onerror = ok; });
    root.replaceChildren(css);
    const params = { site: cfg.site, key: cfg.key, url: cfg.url, title: cfg.title, lang: cfg.lang };
    const [frag] = await Promise.all([fragment("/embed/thread", params), styled]);
    root.append(frag);
    const sec = $(root, "section.pnyx:not(.pnyx-failed)");
    if (sec) thread(root, sec, cfg);
  }

  // Enhances a server-rendered section: the block under the article, or (inline.js) the panel of one passage, whose
  // hooks give a new comment its anchor (anchor), name its drafts (part) and pick comments posted elsewhere (accepts).
  function thread(root, sec, cfg, hooks = {}) {
    const S = sec.dataset, lang = S.lang;
    const own = new Map(), authored = new Set(), votes = {};
    let seq = 0, asked = 0, hidden = [];
    const draftKey = (part) => `pnyx:draft:${cfg.site}:${cfg.key}:${part}`;
    const tpl = (name) => $(sec, `template[data-tpl="${name}"]`).content.cloneNode(true);
    const why = (err) => err.detail || S.msgOffline;
    const list = () => $(sec, ".pnyx-list");

    function say(text, status = $(sec, ".pnyx-status")) {
      status.textContent = "";
      later(() => { status.textContent = text; });
    }

    function label(forms, n) {
      const f = JSON.parse(forms);
      return (f[new Intl.PluralRules(lang).select(n)] || f.other).replace("{n}", n);
    }

    function setCount(n) {
      const h = $(sec, ".pnyx-count");
      if (!h) return;
      h.dataset.n = n;
      h.textContent = label(S.countForms, n);
    }

    function times(node) {
      const rel = new Intl.RelativeTimeFormat(lang, { numeric: "auto" });
      const abs = new Intl.DateTimeFormat(lang, { dateStyle: "long", timeStyle: "short" });
      for (const t of $$(node, "time[datetime]")) {
        const when = new Date(t.dateTime), s = (when - Date.now()) / 1000, a = Math.abs(s);
        if (isNaN(s)) continue;
        const [n, unit] = a < 45 ? [0, "second"] : a < 3600 ? [s / 60, "minute"] : a < 86400 ? [s / 3600, "hour"]
          : a < 2592000 ? [s / 86400, "day"] : a < 31536000 ? [s / 2592000, "month"] : [s / 31536000, "year"];
        t.title = abs.format(when);
        t.textContent = rel.format(Math.round(n), unit);
      }
    }

    // Reader state from /me: own votes pressed, Edit and Delete shown while the edit window is open.
    function mark(node) {
      for (const a of $$(node, "article[data-id]")) {
        const v = votes[a.dataset.id] || 0, mine = own.get(a.dataset.id);
        for (const b of $$(a, '[data-act="vote"]')) {
          b.setAttribute("aria-pressed", String(+b.dataset.value === v));
          b.disabled = authored.has(a.dataset.id); // the server refuses votes on one's own comment
        }
        for (const b of $$(a, '[data-act="edit"],[data-act="delete"]')) b.hidden = !mine || mine.until < Date.now();
      }
    }

    async function refreshMe() {
      if (!store.get(TOKEN)) return;
      const state = await api("GET", "/api/v1/me?" + new URLSearchParams({ site: cfg.site, key: cfg.key }));
      if (!store.get(TOKEN)) return;
      Object.assign(votes, state.votes);
      for (const id of state.own || []) authored.add(String(id));
      for (const e of state.editable) {
        const until = Date.parse(e.until);
        own.set(String(e.id), { until, body: e.body });
        later(() => mark(sec), Math.min(until - Date.now() + 500, 2 ** 31 - 1));
      }
      setPoints(null, state.points_vote);
      mark(sec);
      // The private feed of replies to this reader, offered once they have written here.
      const feed = $(sec, '[data-feed="replies"]');
      if (feed && state.replies_feed && authored.size) Object.assign(feed, { href: state.replies_feed, hidden: false });
      // A confirmed address does for "Notify of": the e-mail field stays optional (embed.css swaps the notes).
      if (state.email_verified) {
        S.verified = "";
        $$(sec, "form").forEach(wants);
      }
      // A passage's panel cannot tell which of them are about its passage: they join the block under the article.
      hidden = hooks.anchor ? [] : (state.own_hidden || []).slice(-MERGED);
      await merge();
    }

    // The reader's own comments nobody else sees (held for a moderator, or shadow) join the shared page for them
    // alone: fetched with their token, under their parent when it is shown, else on top of the list.
    async function merge() {
      const missing = hidden.filter((h) => !root.getElementById("pnyx-comment-" + h.id));
      const found = await Promise.all(missing.map((h) => comment(h.id).catch(() => null)));
      found.forEach((article, i) => {
        const aside = S.inlineInMain === "false" && article && $(article, ".pnyx-quote");
        if (article && !aside && !root.getElementById(article.id)) insert(article, missing[i].parent_id, true);
      });
    }

    function setPoints(points, value) {
      const score = $(sec, ".pnyx-score");
      if (points !== null) {
        score.dataset.n = points;
        score.textContent = label(S.pointsForms, points);
      }
      for (const b of $$(sec, '[data-act="points"]')) b.setAttribute("aria-pressed", String(+b.dataset.value === value));
    }

    async function comment(id) {
      const frag = await fragment("/embed/comment", hooks.anchor ? { id, lang, quote: false } : { id, lang }, true);
      const article = $(frag, "article");
      if (!article) throw { detail: ($(frag, ".pnyx-failed p:last-child") || {}).textContent };
      times(article);
      mark(frag);
      return article;
    }

    function alertIn(node, text) {
      let p = $(node, ":scope > .pnyx-err");
      if (!p) {
        p = Object.assign(document.createElement("p"), { className: "pnyx-err" });
        p.setAttribute("role", "alert");
        node.append(p);
      }
      p.textContent = text;
    }

    // Sub-forms (reply, edit, delete, report) open inside their comment, one at a time.
    function open(article, kind, trigger) {
      const current = $(article, ".pnyx-sub");
      if (current && current.dataset.form === kind) return focusFirst(current);
      if (current) close(current, false);
      const frag = tpl(kind), form = frag.firstElementChild, n = ++seq, id = article.dataset.id;
      for (const el of $$(frag, "[id]")) el.id += "-" + n;
      for (const el of $$(frag, "[for],[aria-describedby],[aria-labelledby]")) {
        for (const name of ["for", "aria-describedby", "aria-labelledby"]) {
          const v = el.getAttribute(name);
          if (v) el.setAttribute(name, v.split(" ").map((x) => x + "-" + n).join(" "));
        }
      }
      form.trigger = trigger;
      form.thanks = $(frag, ".pnyx-thanks");
      const ta = $(form, "textarea");
      if (kind === "reply") {
        $(form, "label").textContent = trigger.getAttribute("aria-label");
        $(form, '[name="parent_id"]').value = id;
      }
      if (ta) {
        ta.dataset.draft = draftKey(kind + ":" + id);
        ta.value = store.get(ta.dataset.draft) || (kind === "edit" && (own.get(id) || {}).body) || "";
      }
      if (kind === "edit") $(article, ".pnyx-text").hidden = true;
      prefill(form);
      article.append(form);
      trigger.setAttribute("aria-expanded", "true");
      focusFirst(form);
    }

    function focusFirst(form) {
      const first = $(form, 'textarea, input[type="radio"], [data-act="cancel"]');
      if (first) first.focus();
    }

    function close(form, refocus = true) {
      const article = form.closest("article"), text = $(article, ".pnyx-text");
      if (text) text.hidden = false;
      form.remove();
      if (form.trigger) form.trigger.setAttribute("aria-expanded", "false");
      if (refocus && form.trigger && form.trigger.isConnected) form.trigger.focus();
    }

    function payload(form) {
      const out = {};
      // The honeypot goes along even empty: what a filled one means is the server's to decide.
      for (const [k, v] of new FormData(form)) {
        if ((v !== "" || k === "homepage") && k !== "lang") out[k] = k === "parent_id" ? +v : v;
      }
      return out;
    }

    function settle(form) {
      const ta = $(form, "textarea");
      if (ta && ta.dataset.draft) store.set(ta.dataset.draft, null);
    }

    // A reader's name, e-mail, website and notification choice are kept in their own browser and offered again in
    // every form; `keep` holds what a form without some of them leaves as it was.
    function details() {
      try { return JSON.parse(store.get(DETAILS)) || {}; } catch { return {}; } // damaged: start afresh
    }

    function remember(data, keep = {}) {
      const known = { ...keep, ...Object.fromEntries(FIELDS.filter((k) => data[k]).map((k) => [k, data[k]])) };
      if (Object.keys(known).length) store.set(DETAILS, JSON.stringify(known));
    }

    function prefill(form) {
      const known = details();
      for (const k of FIELDS) {
        const input = $(form, `[name="${k}"]`) || (k === "author_email" && $(form, '[name="email"]'));
        if (input && known[k] && (!input.value || input.tagName === "SELECT")) input.value = known[k];
      }
      wants(form);
    }

    // Asking to be notified needs an address: the e-mail becomes required and is described by the note that a
    // confirmation mail comes first (embed.css shows that note while a notification is asked for). A reader with a
    // confirmed address may leave it empty, and its note says so.
    function wants(form) {
      const pick = $(form, '[name="notify"]'), email = $(form, '[name="author_email"]');
      if (!pick || !email) return;
      const on = pick.value !== "none", known = "verified" in S;
      const notes = [".pnyx-if-notify", ".pnyx-if-verified"].map((c) => $(form, c).id);
      const ids = email.getAttribute("aria-describedby").split(" ").filter((x) => !notes.includes(x));
      email.required = on && !known;
      email.setAttribute("aria-describedby", (on ? [...ids, notes[+known]] : ids).join(" "));
    }

    async function post(form) {
      const sent = payload(form);
      if (!sent.parent_id && hooks.anchor) sent.anchor = hooks.anchor();
      const data = await api("POST", "/api/v1/comments", sent);
      settle(form);
      remember(sent);
      // A held comment is shown to its author with its marker; if it cannot be shown, the message still says why.
      const article = await place(data).catch(() => null), note = told(data.subscription), done = $(form, ".pnyx-done");
      const held = data.held && S.msgHeld, line = (...parts) => parts.filter(Boolean).join(" ");
      form.dataset.form === "reply" ? close(form, false) : ($(form, "textarea").value = "");
      if (done) say(line(held, note), done);
      say(done ? line(!held && S.msgPosted) : line(held || S.msgPosted, note));
      if (article) {
        article.tabIndex = -1;
        article.focus();
      }
      tell("posted", { comment: data.comment, thread: data.thread, held: data.held });
      refreshMe().catch(() => {});
    }

    // Other blocks of this thread on the page (the block under the article, passages' panels) follow every change.
    function tell(what, data) {
      document.dispatchEvent(new CustomEvent("pnyx:change", { detail: { ...data, what, from: sec, cfg } }));
    }

    function bump(by) {
      const h = $(sec, ".pnyx-count");
      if (h) setCount(Math.max(0, +h.dataset.n + by));
    }

    // A new comment joins the list, or its parent's replies; the block under the article counts the whole thread.
    async function place(data) {
      const c = data.comment, article = await comment(c.id);
      insert(article, c.parent_id);
      hooks.anchor ? bump(+!data.held) : setCount(data.thread.comment_count);
      return article;
    }

    function insert(article, parentId, top) {
      const li = document.createElement("li"), parent = parentId && sec.querySelector(`#pnyx-comment-${parentId}`);
      li.className = "pnyx-item";
      li.append(article);
      if (parent) {
        const item = parent.closest("li");
        let ol = $(item, ":scope > .pnyx-replies");
        if (!ol) item.append((ol = Object.assign(document.createElement("ol"), { className: "pnyx-replies" })));
        ol.append(li);
      } else {
        top || S.sort !== "oldest" ? list().prepend(li) : list().append(li);
      }
    }

    async function elsewhere(e) {
      const d = e.detail, c = d.comment, id = c ? c.id : d.id, here = root.getElementById("pnyx-comment-" + id);
      if (!sec.isConnected) return document.removeEventListener("pnyx:change", follow);
      if (d.from === sec || d.cfg.site !== cfg.site || d.cfg.key !== cfg.key) return;
      if (d.what === "removed") return drop(id);
      if (d.what === "edited") return here && here.replaceWith(await comment(id));
      // A site may keep comments on passages out of the block under the article (data-inline-in-main="false").
      const fits = c.parent_id ? root.getElementById("pnyx-comment-" + c.parent_id)
        : hooks.accepts ? hooks.accepts(c) : !(c.anchor && S.inlineInMain === "false");
      if (fits && !here) place(d);
    }

    async function edit(form) {
      const article = form.closest("article"), id = article.dataset.id, body = payload(form).body;
      const data = await api("PATCH", "/api/v1/comments/" + id, { body });
      settle(form);
      if (own.has(id)) own.get(id).body = body;
      const fresh = await comment(id);
      article.replaceWith(fresh);
      say(data.held ? S.msgHeld : S.msgSaved);
      $(fresh, '[data-act="edit"]').focus();
      tell("edited", { id });
    }

    // A deleted comment keeps its place while it has replies.
    async function drop(id) {
      const article = root.getElementById("pnyx-comment-" + id), item = article && article.closest("li");
      if (!item) return;
      if ($(item, ":scope > .pnyx-replies > li")) article.replaceWith(await comment(id));
      else item.remove();
      bump(-1);
    }

    async function remove(box) {
      const id = box.closest("article").dataset.id;
      await api("DELETE", "/api/v1/comments/" + id);
      own.delete(id);
      await drop(id);
      say(S.msgDeleted);
      const count = $(sec, ".pnyx-count");
      if (count) count.tabIndex = -1;
      (count || $(sec, "textarea")).focus();
      tell("removed", { id });
    }

    async function report(form) {
      const id = form.closest("article").dataset.id;
      await api("POST", `/api/v1/comments/${id}/report`, payload(form));
      settle(form);
      const thanks = form.thanks, text = thanks.textContent;
      thanks.textContent = "";
      form.replaceWith(thanks);
      later(() => { thanks.textContent = text; });
      if (form.trigger) form.trigger.focus();
    }

    // What became of a wish to be notified: a confirmation mail went out, or the address was confirmed already.
    function told(subscription) {
      return subscription && (subscription === "subscribed" ? S.msgSubscribed : S.msgConfirm);
    }

    // "Subscribe": a reader who does not comment asks for new comments by e-mail.
    function toggleSubscribe() {
      const form = $(sec, ".pnyx-follow"), open = form.hidden, btn = $(sec, ".pnyx-foot [data-act=follow]");
      form.hidden = !open;
      btn.setAttribute("aria-expanded", String(open));
      if (open) prefill(form);
      (open ? $(form, "input[type=email]") : btn).focus();
    }

    async function subscribe(form) {
      const sent = { ...payload(form), kind: "followups", digest: !!form.elements.digest.checked };
      const data = await api("POST", "/api/v1/subscriptions", sent);
      remember({ author_email: sent.email }, details());
      toggleSubscribe();
      say(told(data.status));
    }

    const SUBMIT = { post, reply: post, edit, report, follow: subscribe };

    async function onSubmit(e) {
      const form = e.target, act = SUBMIT[form.dataset.form];
      if (!act) return;
      e.preventDefault();
      if (form.busy) return;
      form.busy = true;
      alertIn(form, "");
      try { await act(form); } catch (err) { alertIn(form, why(err)); } finally { form.busy = false; }
    }

    async function vote(btn, article) {
      const value = btn.getAttribute("aria-pressed") === "true" ? 0 : +btn.dataset.value;
      if (!article) {
        const body = { site: cfg.site, key: cfg.key, url: cfg.url, title: cfg.title, value };
        const t = await api("PUT", "/api/v1/threads/vote", body);
        return setPoints(t.points, t.value);
      }
      const id = article.dataset.id, t = await api("PUT", `/api/v1/comments/${id}/vote`, { value });
      votes[id] = t.value;
      $(article, '[data-n="up"]').textContent = t.up;
      $(article, '[data-n="down"]').textContent = t.down;
      mark(article.parentNode);
    }

    // More comments: append a page (cursor), replace with the whole thread (view=all) or another sort.
    async function more(extra, replace, quiet) {
      const before = list().children.length, ticket = ++asked;
      const params = { site: cfg.site, key: cfg.key, url: cfg.url, lang, sort: S.sort, part: "comments", ...extra };
      const frag = await fragment("/embed/thread", params), ol = $(frag, ".pnyx-list");
      if (ticket !== asked) return; // a later sort or page was asked for while this one travelled
      if (!ol) throw { detail: ($(frag, ".pnyx-failed p:last-child") || {}).textContent };
      times(ol);
      mark(ol);
      // A comment posted here since the page loaded may come again on a later page.
      const items = [...ol.children].filter((li) => replace || !root.getElementById($(li, "article").id));
      replace ? list().replaceChildren(...items) : list().append(...items);
      $(sec, ".pnyx-more").replaceWith($(frag, ".pnyx-more"));
      if (replace) await merge();
      if (quiet) return;
      say(ol.dataset.announce);
      const item = list().children[replace ? before : list().children.length - items.length];
      const first = item && $(item, "article");
      if (first) { first.tabIndex = -1; first.focus(); }
    }

    async function sort(btn) {
      S.sort = btn.dataset.sort;
      for (const b of $$(sec, '[data-act="sort"]')) b.setAttribute("aria-pressed", String(b === btn));
      await more({}, true, true);
    }

    // A link to a comment (#pnyx-comment-ID) reaches into the shadow root, loading the whole thread if needed.
    async function reveal() {
      const id = location.hash.startsWith("#pnyx-comment-") && location.hash.slice(1);
      if (!id) return;
      if (!root.getElementById(id)) await more({ view: "all" }, true, true);
      const target = root.getElementById(id);
      if (!target) return;
      target.tabIndex = -1;
      target.scrollIntoView();
      target.focus();
    }

    const ACTS = {
      points: (b) => vote(b, null),
      vote: (b, a) => vote(b, a),
      sort,
      more: (b) => more({ cursor: b.dataset.cursor }, false),
      all: () => more({ view: "all" }, true),
      reply: (b, a) => open(a, "reply", b),
      edit: (b, a) => open(a, "edit", b),
      delete: (b, a) => open(a, "delete", b),
      report: (b, a) => open(a, "report", b),
      cancel: (b) => close(b.closest(".pnyx-sub")),
      "delete-yes": (b) => remove(b.closest(".pnyx-sub")),
      follow: toggleSubscribe,
    };

    async function onClick(e) {
      const btn = e.target.closest("[data-act]");
      if (!btn || btn.busy) return;
      const article = btn.closest("article");
      btn.busy = true;
      try {
        await ACTS[btn.dataset.act](btn, article);
      } catch (err) {
        const box = btn.closest(".pnyx-sub");
        box ? alertIn(box, why(err)) : article ? alertIn(article, why(err)) : say(why(err));
      } finally {
        btn.busy = false;
      }
    }

    sec.addEventListener("click", onClick);
    sec.addEventListener("submit", onSubmit);
    sec.addEventListener("input", (e) => { if (e.target.dataset.draft) store.set(e.target.dataset.draft, e.target.value); });
    sec.addEventListener("change", (e) => { if (e.target.name === "notify") wants(e.target.form); });
    sec.addEventListener("keydown", (e) => {
      const box = e.key === "Escape" && e.target.closest(".pnyx-sub, .pnyx-follow");
      if (!box) return;
      e.preventDefault(); // handled: a panel around this block stays open
      box.matches(".pnyx-follow") ? toggleSubscribe() : close(box);
    });
    const follow = (e) => elsewhere(e).catch(() => {});
    document.addEventListener("pnyx:change", follow);
    const subscription = $(sec, ".pnyx-follow");
    if (subscription) subscription.hidden = true; // shown without JavaScript; here it opens from "Subscribe"
    const main = $(sec, ".pnyx-main textarea");
    if (main) {
      main.dataset.draft = draftKey(hooks.part || "post");
      main.value = store.get(main.dataset.draft) || "";
      prefill(main.form);
    }
    sec.classList.add("is-live");
    times(sec);
    refreshMe().catch(() => {});
    if (!hooks.anchor) reveal().catch(() => {});
  }

  // Count labels: [data-pnyx-count] elements and Disqus-style links, in one request per 100 keys.
  async function counts() {
    const els = $$(document, '[data-pnyx-count], a[href$="#disqus_thread"]');
    const host = $(document, "[data-pnyx-site]:not(script)");
    const site = SITE || (host && host.dataset.pnyxSite);
    if (!els.length || !site) return;
    const keyOf = (el) => el.dataset.pnyxCount || el.dataset.disqusIdentifier || el.href.split("#")[0];
    const keys = [...new Set(els.map(keyOf))];
    for (let i = 0; i < keys.length; i += 100) {
      const q = new URLSearchParams({ site, lang: document.documentElement.lang || navigator.language });
      for (const k of keys.slice(i, i + 100)) q.append("key", k);
      const res = await fetch(ORIGIN + "/embed/counts?" + q);
      if (!res.ok) return;
      const found = await res.json();
      for (const el of els) if (found[keyOf(el)]) el.textContent = found[keyOf(el)].label;
    }
  }

  const io = "IntersectionObserver" in window && new IntersectionObserver((entries) => {
    for (const e of entries) if (e.isIntersecting) { io.unobserve(e.target); load(e.target); }
  }, { rootMargin: "600px" });

  function load(el, o) {
    if (io) io.unobserve(el);
    return render(el, config(el, o)).catch((err) => console.warn("pnyx:", err));
  }

  // Inline feedback (inline.js, inline.css) loads only on pages that ask for it.
  function inline() {
    const css = Object.assign(document.createElement("link"), { rel: "stylesheet", href: ORIGIN + "/inline.css" });
    document.head.append(css, Object.assign(document.createElement("script"), { src: ORIGIN + "/inline.js" }));
  }

  function init() {
    const found = $$(document, "#pnyx-thread, #disqus_thread, [data-pnyx-site]:not(script):not([data-pnyx-count])");
    for (const el of found) io ? io.observe(el) : load(el);
    counts().catch(() => {});
    if ($(document, "[data-pnyx-article], [data-pnyx-inline]")) inline();
  }

  // `_` is for inline.js, not for pages: it may change in any release.
  window.pnyx = { load, counts, _: { ORIGIN, api, fragment, config, thread } };
  document.readyState === "loading" ? document.addEventListener("DOMContentLoaded", init) : init();
})();
