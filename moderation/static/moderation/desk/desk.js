/* The moderation desk: keyboard-driven decisions posted as JSON, with no page reload.
 * Queue page: j/k move, a approve, s spam, r abuse, h or b send back, u undo, x select, n note,
 * ? help; with Shift, a/s/r/h act on the selected comments. The comment's own admin page uses the same buttons (.desk-single). */
(function () {
  "use strict";

  var configNode = document.getElementById("desk-config");
  if (!configNode) return;
  var config = JSON.parse(configNode.textContent);
  var csrfInput = document.querySelector("input[name=csrfmiddlewaretoken]");
  var statusBox = document.getElementById("desk-status");
  var list = document.getElementById("desk-list");
  var single = document.querySelector(".desk-single");
  var cards = list ? Array.prototype.slice.call(list.querySelectorAll(".desk-card")) : [];
  var current = -1;
  var busy = false;

  function say(message, isError) {
    if (!statusBox) return;
    statusBox.textContent = message;
    statusBox.classList.toggle("is-error", Boolean(isError));
  }

  function post(url, payload) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRFToken": csrfInput ? csrfInput.value : ""
      },
      body: JSON.stringify(payload)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (!response.ok) {
          var error = (body && body.error) || {};
          throw new Error(error.message || ("The server answered " + response.status + "."));
        }
        return body;
      });
    });
  }

  function cardById(id) {
    return document.getElementById("comment-" + id);
  }

  function setCurrent(index) {
    if (!cards.length) return;
    index = Math.max(0, Math.min(cards.length - 1, index));
    if (current >= 0 && cards[current]) {
      cards[current].classList.remove("is-current");
      cards[current].setAttribute("tabindex", "-1");
    }
    current = index;
    var card = cards[current];
    card.classList.add("is-current");
    card.setAttribute("tabindex", "0");
    card.focus({ preventScroll: true });
    card.scrollIntoView({ block: "nearest" });
  }

  function nextUndecided(from) {
    for (var i = from + 1; i < cards.length; i++) {
      if (!cards[i].classList.contains("is-decided")) return i;
    }
    return Math.min(from + 1, cards.length - 1);
  }

  function showStatus(card, comment) {
    if (!card) return;
    card.dataset.status = comment.status;
    var badge = card.querySelector("[data-role=status]");
    if (badge) {
      badge.textContent = comment.status;
      badge.className = "desk-status-badge desk-status-" + comment.status;
    }
    var reason = card.querySelector("[data-role=reason]");
    if (reason) reason.textContent = "Recorded: " + comment.decision_reason;
  }

  function updateCounts(counts) {
    if (!counts) return;
    var rows = counts.sites.concat([{ site_id: "all", counts: counts.totals }]);
    rows.forEach(function (row) {
      Object.keys(row.counts).forEach(function (status) {
        var cell = document.querySelector(
          '[data-count-site="' + row.site_id + '"][data-count-status="' + status + '"]'
        );
        if (cell) cell.textContent = row.counts[status];
      });
    });
  }

  var DONE_WORDS = {
    approve: "Approved", spam: "Rejected as spam", abuse: "Rejected as abuse",
    send_back: "Sent back to the queue"
  };

  // A decision changes its author's history: every card of that author on the page follows.
  function updateHistories(histories) {
    if (!histories) return;
    document.querySelectorAll(".desk-history").forEach(function (span) {
      var email = span.getAttribute("data-history-email");
      var ip = span.getAttribute("data-history-ip");
      if (email !== null && histories.email[email] !== undefined) span.textContent = histories.email[email];
      if (ip !== null && histories.ip[ip] !== undefined) span.textContent = histories.ip[ip];
    });
  }

  function decide(ids, action, note) {
    if (busy || !ids.length) return Promise.resolve();
    busy = true;
    say("Saving…");
    return post(config.decideUrl, { comment_ids: ids, action: action, note: note || "" })
      .then(function (body) {
        body.decided.forEach(function (comment) {
          var card = cardById(comment.id);
          showStatus(card, comment);
          if (card) {
            card.classList.add("is-decided");
            var box = card.querySelector(".desk-select");
            if (box) box.checked = false;
            var noteField = card.querySelector(".desk-note");
            if (noteField) noteField.value = "";
          }
        });
        updateCounts(body.counts);
        updateHistories(body.histories);
        updateSelection();
        var refused = body.refused.map(function (r) { return "#" + r.id + ": " + r.message; });
        var names = body.decided.map(function (c) { return "#" + c.id; }).join(", ");
        say(DONE_WORDS[action] + " " + names + "." + (refused.length ? " Left unchanged: " + refused.join(" ") : ""),
            refused.length > 0);
        if (single) window.location.reload();
        else if (ids.length === 1) setCurrent(nextUndecided(current));
      })
      .catch(function (error) { say(error.message, true); })
      .then(function () { busy = false; });
  }

  function undo() {
    if (busy) return;
    busy = true;
    say("Undoing…");
    post(config.undoUrl, {})
      .then(function (body) {
        var comment = body.undone;
        var card = cardById(comment.id);
        showStatus(card, comment);
        if (card) {
          card.classList.remove("is-decided");
          var index = cards.indexOf(card);
          if (index >= 0) setCurrent(index);
        }
        updateCounts(body.counts);
        updateHistories(body.histories);
        say("Undone: #" + comment.id + " is " + comment.status + " again.");
        if (single) window.location.reload();
      })
      .catch(function (error) { say(error.message, true); })
      .then(function () { busy = false; });
  }

  function selectedIds() {
    return cards.filter(function (card) {
      var box = card.querySelector(".desk-select");
      return box && box.checked;
    }).map(function (card) { return Number(card.dataset.id); });
  }

  function updateSelection() {
    var counter = document.getElementById("desk-selected-count");
    if (counter) counter.textContent = selectedIds().length + " selected";
  }

  function decideCurrent(action) {
    var card = cards[current];
    if (!card) return;
    var noteField = card.querySelector(".desk-note");
    decide([Number(card.dataset.id)], action, noteField ? noteField.value : "");
  }

  function toggleHelp(show) {
    var help = document.getElementById("desk-help");
    if (!help) return;
    help.hidden = show === undefined ? !help.hidden : !show;
    if (help.hidden && cards[current]) cards[current].focus({ preventScroll: true });
  }

  var KEY_ACTIONS = { a: "approve", s: "spam", r: "abuse", h: "send_back", b: "send_back" };

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    var typing = target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" ||
      target.tagName === "SELECT" || target.isContentEditable);
    if (typing && target.type !== "checkbox") {
      if (event.key === "Escape") {
        target.blur();
        if (cards[current]) cards[current].focus({ preventScroll: true });
      }
      return;
    }
    var key = event.key;
    if (key === "?") { toggleHelp(); event.preventDefault(); return; }
    if (key === "Escape") { toggleHelp(false); return; }
    if (single) {
      if (KEY_ACTIONS[key]) {
        event.preventDefault();
        var noteField = single.querySelector(".desk-note");
        decide([Number(single.dataset.id)], KEY_ACTIONS[key], noteField ? noteField.value : "");
      } else if (key === "u") { event.preventDefault(); undo(); }
      return;
    }
    if (!cards.length) { if (key === "u") undo(); return; }
    var bulkAction = KEY_ACTIONS[key.toLowerCase()];
    if (event.shiftKey && key !== key.toLowerCase() && bulkAction) {
      event.preventDefault();
      var ids = selectedIds();
      var bulkNote = document.getElementById("desk-bulk-note");
      if (ids.length) decide(ids, bulkAction, bulkNote ? bulkNote.value : "");
      else say("Select comments first (x, or the boxes).", true);
      return;
    }
    if (key === "j") { setCurrent(current + 1); event.preventDefault(); }
    else if (key === "k") { setCurrent(current - 1); event.preventDefault(); }
    else if (KEY_ACTIONS[key]) { event.preventDefault(); decideCurrent(KEY_ACTIONS[key]); }
    else if (key === "u") { event.preventDefault(); undo(); }
    else if (key === "x") {
      event.preventDefault();
      var box = cards[current] && cards[current].querySelector(".desk-select");
      if (box) { box.checked = !box.checked; updateSelection(); }
    } else if (key === "n") {
      event.preventDefault();
      var note = cards[current] && cards[current].querySelector(".desk-note");
      if (note) note.focus();
    }
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-action]");
    if (button) {
      var card = button.closest(".desk-card, .desk-single");
      if (!card) return;
      if (cards.indexOf(card) >= 0) setCurrent(cards.indexOf(card));
      var noteField = card.querySelector(".desk-note");
      decide([Number(card.dataset.id)], button.dataset.action, noteField ? noteField.value : "");
      return;
    }
    var bulk = event.target.closest("button[data-bulk-action]");
    if (bulk) {
      var noteInput = document.getElementById("desk-bulk-note");
      var ids = selectedIds();
      if (!ids.length) { say("Select comments first (x, or the boxes).", true); return; }
      decide(ids, bulk.dataset.bulkAction, noteInput ? noteInput.value : "");
      return;
    }
    if (event.target.closest("#desk-undo")) { undo(); return; }
    var clicked = event.target.closest(".desk-card");
    if (clicked && event.target.tagName !== "A" && event.target.tagName !== "INPUT") {
      setCurrent(cards.indexOf(clicked));
    }
  });

  document.addEventListener("change", function (event) {
    if (event.target.id === "desk-select-all") {
      cards.forEach(function (card) {
        var box = card.querySelector(".desk-select");
        if (box && !card.classList.contains("is-decided")) box.checked = event.target.checked;
      });
    }
    if (event.target.classList.contains("desk-select") || event.target.id === "desk-select-all") {
      updateSelection();
    }
  });

  if (cards.length) setCurrent(0);
})();
