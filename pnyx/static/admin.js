/* pnyx admin console: keyboard shortcuts for the moderation queues, and a confirmation before a ban.
 *
 * The pages work without this file: every button is a plain form post. With it, j/k move between the
 * comments of a queue, x selects one, and a/r/s/d/b post the same form the buttons post (with the
 * X-CSRF-Token header, asking for JSON), then take the comment out of the queue, move to the next one
 * and announce the result in the page's live region. Shortcuts are off while typing in a field.
 */
(function () {
  "use strict";

  var ACTIONS = { a: "approve", r: "reject", s: "spam", d: "delete", b: "ban_identity" };
  // Which comments still belong in a queue after an action, by the state the server answers with.
  var STAYS = {
    pending: function (c) { return c.status === "pending"; },
    reported: function (c) { return (c.status === "approved" || c.status === "pending") && c.reports > 0; },
    spam: function (c) { return c.status === "spam"; },
    all: function () { return true; }
  };

  var form = document.getElementById("queue-form");
  var live = document.getElementById("queue-live");
  var help = document.getElementById("shortcut-help");
  var tokenMeta = document.querySelector('meta[name="csrf-token"]');
  var current = -1;
  var busy = false;

  function items() {
    return form ? Array.prototype.slice.call(form.querySelectorAll("[data-comment]")) : [];
  }

  function announce(text) {
    if (!live) return;
    // Emptied first, so the same sentence twice in a row is read out twice.
    live.textContent = "";
    window.setTimeout(function () { live.textContent = text; }, 50);
  }

  function focusItem(index) {
    var list = items();
    if (!list.length) {
      current = -1;
      var heading = document.getElementById("queue-heading");
      if (heading) heading.focus();
      return;
    }
    current = Math.max(0, Math.min(index, list.length - 1));
    list.forEach(function (item, i) { item.classList.toggle("is-current", i === current); });
    list[current].focus();
    list[current].scrollIntoView({ block: "nearest" });
  }

  function currentItem() {
    var list = items();
    return current >= 0 && current < list.length ? list[current] : null;
  }

  function selectedIds() {
    return items().filter(function (item) {
      var box = item.querySelector('input[name="ids"]');
      return box && box.checked;
    }).map(function (item) { return item.getAttribute("data-comment"); });
  }

  function field(name) {
    var element = form.elements.namedItem(name);
    return element && "value" in element ? element : null;
  }

  function body(action, ids) {
    var data = new URLSearchParams();
    data.append("csrf", tokenMeta ? tokenMeta.content : "");
    data.append("action", action);
    ids.forEach(function (id) { data.append("ids", id); });
    ["reason", "duration", "next"].forEach(function (name) {
      var element = field(name);
      if (element && element.value) data.append(name, element.value);
    });
    ["reject_comments", "all_sites"].forEach(function (name) {
      var element = field(name);
      if (element && element.checked) data.append(name, "on");
    });
    return data;
  }

  function update(states) {
    var stays = STAYS[form.getAttribute("data-queue")] || STAYS.all;
    var list = items();
    var removedBefore = 0;
    states.forEach(function (state) {
      var item = form.querySelector('[data-comment="' + String(state.id) + '"]');
      if (!item) return;
      if (stays(state)) {
        var badge = item.querySelector("[data-status]");
        if (badge) badge.textContent = state.status;
        var box = item.querySelector('input[name="ids"]');
        if (box) box.checked = false;
        return;
      }
      if (list.indexOf(item) < current) removedBefore += 1;
      item.remove();
    });
    focusItem(current - removedBefore);
    if (!items().length) announce("The queue is empty.");
  }

  function post(action, ids) {
    if (busy || !ids.length) return;
    busy = true;
    var headers = { "Accept": "application/json", "X-CSRF-Token": tokenMeta ? tokenMeta.content : "" };
    // getAttribute: the form's buttons are named "action", and form.action would be one of them.
    fetch(form.getAttribute("action"), { method: "POST", body: body(action, ids), headers: headers, credentials: "same-origin" })
      .then(function (response) {
        return response.json().then(function (answer) { return { ok: response.ok, answer: answer }; });
      })
      .then(function (result) {
        if (!result.ok) {
          announce(result.answer.detail || "That did not work; reload the page and try again.");
          return;
        }
        update(result.answer.comments || []);
        announce(result.answer.message || "Done.");
      })
      .catch(function () {
        announce("The server could not be reached; nothing was changed. Try again.");
      })
      .then(function () { busy = false; });
  }

  function act(key) {
    var item = currentItem();
    var ids = selectedIds();
    if (!ids.length && item) ids = [item.getAttribute("data-comment")];
    if (!ids.length) {
      announce("Move to a comment with j first.");
      return;
    }
    if (key === "b") {
      var who = ids.length === 1 && item && ids[0] === item.getAttribute("data-comment")
        ? item.getAttribute("data-author") : ids.length + " authors";
      if (!window.confirm("Ban " + who + " from commenting?")) return;
    }
    post(ACTIONS[key], ids);
  }

  function toggleHelp() {
    if (!help || typeof help.showModal !== "function") return;
    if (help.open) help.close(); else help.showModal();
  }

  function typing(target) {
    // Text fields, lists and editable regions take the keys; checkboxes and buttons leave them to us.
    if (!(target instanceof HTMLElement)) return false;
    if (target.isContentEditable || target.tagName === "TEXTAREA" || target.tagName === "SELECT") return true;
    return target.tagName === "INPUT" && ["checkbox", "radio", "button", "submit", "reset"].indexOf(target.type) < 0;
  }

  function onKey(event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target)) return;
    if (help && help.open && event.key !== "?") return;
    var key = event.key;
    if (key === "?") {
      toggleHelp();
    } else if (key === "j") {
      focusItem(current + 1);
    } else if (key === "k") {
      focusItem(current < 0 ? 0 : current - 1);
    } else if (key === "x") {
      var item = currentItem();
      var box = item && item.querySelector('input[name="ids"]');
      if (!box) return;
      box.checked = !box.checked;
      announce(box.checked ? "Selected." : "Not selected.");
    } else if (key === "e") {
      var edit = currentItem() && currentItem().querySelector("[data-edit]");
      if (edit) window.location.assign(edit.href);
      else return;
    } else if (ACTIONS[key]) {
      act(key);
    } else {
      return;
    }
    event.preventDefault();
  }

  function confirmBans(event) {
    var button = event.submitter;
    var question = button && button.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  }

  function followClicks(event) {
    // A click inside a comment makes it the current one, so the keys act where the moderator looks.
    var item = event.target instanceof Element ? event.target.closest("[data-comment]") : null;
    if (!item) return;
    var index = items().indexOf(item);
    if (index >= 0) {
      current = index;
      items().forEach(function (one, i) { one.classList.toggle("is-current", i === current); });
    }
  }

  function start() {
    document.querySelectorAll("[data-shortcut-help]").forEach(function (button) {
      button.addEventListener("click", toggleHelp);
    });
    if (!form) return;
    document.querySelectorAll("[data-shortcut-hint]").forEach(function (hint) { hint.hidden = false; });
    form.addEventListener("submit", confirmBans);
    form.addEventListener("click", followClicks);
    document.addEventListener("keydown", onKey);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
