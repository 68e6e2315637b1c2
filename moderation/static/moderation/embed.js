/*! Comment widget: <script src="https://HOST/embed.js" data-site="pk_…" data-article="ID" async></script>
 * Plain JavaScript, no dependencies. Renders into an open Shadow DOM on the container
 * (data-container, default "#comments"). Reader data only ever reaches the page as text. */
(function () {
  "use strict";

  var script =
    document.currentScript || document.querySelector('script[data-site][src*="embed.js"]');
  if (!script) return;
  var conf = script.dataset;
  var SITE = conf.site;
  var ARTICLE = conf.article;
  var API = new URL(script.src, location.href).origin + "/api/v1/embed/" + encodeURIComponent(SITE);
  var THREAD = API + "/articles/" + encodeURIComponent(ARTICLE || "") + "/comments/";
  var STORE = "cm:v1:" + SITE + ":" + ARTICLE;
  var AUTHOR_STORE = "cm:v1:author";
  // The server's limits (moderation.api.serializers.CommentSubmitInput).
  var LIMITS = { body: 5000, author_name: 100, author_email: 254, author_url: 500 };

  var CSS =
    ":host{all:initial;display:block;font:var(--cm-font-size,1rem)/1.5 var(--cm-font,system-ui,-apple-system,'Segoe UI',sans-serif);" +
    "color:var(--cm-text,#1f2328);background:var(--cm-bg,transparent)}" +
    "*{box-sizing:border-box}h2,h3{font-size:1.25em;margin:1.5em 0 .5em;line-height:1.25}h3{font-size:1.1em}" +
    "ol{list-style:none;margin:0;padding:0}.replies{margin-left:var(--cm-indent,1.5rem);padding-left:.75rem;border-left:2px solid var(--cm-border,#d0d7de)}" +
    "article{margin:1rem 0}.meta{font-size:.875em;color:var(--cm-muted,#57606a)}.author{font-weight:600;color:var(--cm-text,#1f2328)}" +
    ".meta a{color:inherit}a{color:var(--cm-accent,#0969da)}.body{white-space:pre-wrap;overflow-wrap:anywhere;margin:.25rem 0}" +
    ".removed{color:var(--cm-muted,#57606a);font-style:italic}" +
    ".badge{display:inline-block;margin-left:.5em;padding:0 .4em;border-radius:var(--cm-radius,4px);background:var(--cm-badge-bg,#fff8c5);color:var(--cm-badge-text,#6f4e00);font-size:.85em}" +
    ".own{border-left:3px solid var(--cm-accent,#0969da);padding-left:.5rem}.rejected{background:var(--cm-notice-bg,#f6f8fa);padding:.5rem .75rem;border-radius:var(--cm-radius,4px)}" +
    "button{font:inherit;cursor:pointer}.link{background:none;border:0;padding:0;color:var(--cm-accent,#0969da);text-decoration:underline;font-size:.875em}" +
    ".primary{background:var(--cm-accent,#0969da);color:var(--cm-accent-text,#fff);border:0;border-radius:var(--cm-radius,4px);padding:.5em 1.1em}" +
    ".more{margin:1rem 0;background:none;border:1px solid var(--cm-border,#d0d7de);border-radius:var(--cm-radius,4px);padding:.4em 1em;color:inherit}" +
    "form{margin-top:1rem}.field{margin:0 0 .9rem}label{display:block;font-weight:600;margin-bottom:.2rem}" +
    "input[type=text],input[type=email],input[type=url],textarea,select{font:inherit;color:inherit;background:var(--cm-input-bg,#fff);width:100%;max-width:32rem;" +
    "padding:.45em .6em;border:1px solid var(--cm-border,#8c959f);border-radius:var(--cm-radius,4px)}textarea{max-width:100%;min-height:8em;resize:vertical}" +
    "select{width:auto}.check label{display:inline;font-weight:400;margin-left:.4em}.note{font-size:.875em;color:var(--cm-muted,#57606a)}" +
    "[aria-invalid=true]{border-color:var(--cm-error,#cf222e)}.error{color:var(--cm-error,#cf222e);font-size:.875em;margin:.2rem 0 0}" +
    ":focus-visible{outline:2px solid var(--cm-accent,#0969da);outline-offset:2px}.bar{display:flex;gap:1rem;align-items:center;flex-wrap:wrap}" +
    ".trap{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}.bar label{display:inline;font-weight:400;margin-right:.4em}.vh{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}";

  // --- small helpers -------------------------------------------------------------------------
  function h(tag, attrs) {
    var node = document.createElement(tag);
    var key;
    for (key in attrs || {}) {
      if (attrs[key] == null || attrs[key] === false) continue;
      if (key.slice(0, 2) === "on") node.addEventListener(key.slice(2), attrs[key]);
      else if (key === "text") node.textContent = attrs[key];
      else node.setAttribute(key, attrs[key] === true ? "" : attrs[key]);
    }
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child == null || child === false) continue;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }

  function load(key, fallback) {
    try {
      return JSON.parse(localStorage.getItem(key)) || fallback;
    } catch (e) {
      return fallback;
    }
  }

  function save(key, value) {
    try {
      if (value == null) localStorage.removeItem(key);
      else localStorage.setItem(key, JSON.stringify(value));
    } catch (e) {
      /* storage off: the widget still works for this visit */
    }
  }

  function request(url, body, headers) {
    var options = { headers: Object.assign({ Accept: "application/json" }, headers) };
    if (body) {
      options.method = "POST";
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(url, options).then(function (response) {
      var retryAfter = parseInt(response.headers.get("Retry-After") || "", 10);
      return response.json().then(
        function (data) {
          return { status: response.status, data: data, retryAfter: retryAfter };
        },
        function () {
          return { status: response.status, data: {}, retryAfter: retryAfter };
        }
      );
    });
  }

  var relative = window.Intl && Intl.RelativeTimeFormat ? new Intl.RelativeTimeFormat("en", { numeric: "auto" }) : null;

  function ago(iso) {
    var date = new Date(iso);
    var seconds = (date.getTime() - Date.now()) / 1000;
    var steps = [
      [60, "second"],
      [3600, "minute", 60],
      [86400, "hour", 3600],
      [2592000, "day", 86400],
    ];
    if (Math.abs(seconds) < 45) return "just now";
    for (var i = 1; i < steps.length; i++) {
      if (Math.abs(seconds) < steps[i][0] && relative) {
        return relative.format(Math.round(seconds / steps[i][2]), steps[i][1]);
      }
    }
    return date.toLocaleDateString();
  }

  function webUrl(value) {
    return /^https?:\/\//i.test(value || "") ? value : null;
  }

  // --- state -----------------------------------------------------------------------------------
  var container = document.querySelector(conf.container || "#comments");
  if (!container) return;
  var root = container.shadowRoot || container.attachShadow({ mode: "open" });
  var state = { order: conf.order === "newest" ? "newest" : "oldest", next: null, maxDepth: 4, open: true, replyTo: null };
  var own = load(STORE, []); // the reader's own comments: {id, token, parent, status, author_name, …}
  var pollDelay = 2000;
  var pollTimer = null;

  var live = h("div", { class: "vh", role: "status", "aria-live": "polite" });
  var heading = h("h2", { id: "cm-heading", text: "Comments" });
  var list = h("ol", { class: "thread" });
  var more = h("button", { type: "button", class: "more", hidden: true, onclick: function () { fetchThread(state.next, true); } }, "Load more comments");
  var order = h(
    "select",
    { id: "cm-order", onchange: function () { state.order = order.value; fetchThread(null, false); } },
    h("option", { value: "oldest" }, "Oldest first"),
    h("option", { value: "newest" }, "Newest first")
  );
  order.value = state.order;
  var formSlot = h("div");
  var section = h(
    "section",
    { "aria-labelledby": "cm-heading" },
    heading,
    h("div", { class: "bar" }, h("span", null, h("label", { for: "cm-order" }, "Sort"), order)),
    list,
    more,
    formSlot,
    live
  );

  function announce(message) {
    live.textContent = "";
    setTimeout(function () {
      live.textContent = message;
    }, 50);
  }

  // --- the thread ------------------------------------------------------------------------------
  function authorNode(comment) {
    var url = webUrl(comment.author_url);
    return url
      ? h("a", { class: "author", href: url, rel: "nofollow ugc noopener" }, h("bdi", null, comment.author_name))
      : h("span", { class: "author" }, h("bdi", null, comment.author_name));
  }

  function replyButton(comment) {
    return h(
      "button",
      { type: "button", class: "link", "aria-label": "Reply to " + comment.author_name, onclick: function () { startReply(comment); } },
      "Reply"
    );
  }

  function commentItem(comment) {
    var item = h("li", { "data-id": comment.id });
    if (comment.removed) {
      item.appendChild(h("p", { class: "removed" }, "[removed]"));
    } else {
      item.appendChild(
        h(
          "article",
          null,
          h(
            "p",
            { class: "meta" },
            authorNode(comment),
            " · ",
            h("time", { datetime: comment.created_at, title: new Date(comment.created_at).toLocaleString() }, ago(comment.created_at))
          ),
          h("p", { class: "body" }, comment.body),
          state.open ? replyButton(comment) : null
        )
      );
    }
    var replies = h("ol", { class: "replies" });
    (comment.replies || []).forEach(function (reply) {
      replies.appendChild(commentItem(reply));
    });
    item.appendChild(replies);
    return item;
  }

  function ownItem(mine) {
    var item = h("li", { "data-own": mine.id, class: "own" });
    if (mine.status === "rejected") {
      item.appendChild(
        h(
          "p",
          { class: "rejected" },
          "Thank you for your comment. It was not published because it does not meet this site's guidelines. Only you can see this note. ",
          h("button", { type: "button", class: "link", onclick: function () { forget(mine.id); render(); } }, "Dismiss")
        )
      );
      return item;
    }
    item.appendChild(
      h(
        "article",
        null,
        h(
          "p",
          { class: "meta" },
          authorNode(mine),
          " · ",
          h("time", { datetime: mine.created_at, title: new Date(mine.created_at).toLocaleString() }, ago(mine.created_at)),
          h("span", { class: "badge" }, "Your comment is awaiting moderation.")
        ),
        h("p", { class: "body" }, mine.body)
      )
    );
    item.appendChild(h("ol", { class: "replies" }));
    return item;
  }

  var threads = [];
  var count = 0;

  function render() {
    list.textContent = "";
    threads.forEach(function (comment) {
      list.appendChild(commentItem(comment));
    });
    own.forEach(function (mine) {
      if (list.querySelector('li[data-id="' + mine.id + '"]')) return; // published and shown
      var parent = mine.parent && list.querySelector('li[data-id="' + mine.parent + '"] > ol, li[data-own="' + mine.parent + '"] > ol');
      var target = parent || list;
      if (target === list && state.order === "newest") target.insertBefore(ownItem(mine), target.firstChild);
      else target.appendChild(ownItem(mine));
    });
    heading.textContent = count === 0 ? "No comments yet" : count === 1 ? "1 Comment" : count + " Comments";
    more.hidden = !state.next;
    if (state.replyTo) {
      // The list was rebuilt: the open reply form goes back under its comment.
      var item = list.querySelector('li[data-id="' + state.replyTo.id + '"]');
      if (item) item.insertBefore(form, item.lastChild);
      else stopReply(false);
    }
  }

  function fetchThread(url, append) {
    // missing=empty: an article the service does not know yet is a 200 with article null, not
    // a 404 in the console before the widget creates it.
    var address = url || THREAD + "?missing=empty&order=" + state.order;
    return request(address)
      .then(function (answer) {
        if (answer.status !== 200) throw new Error("status " + answer.status);
        var data = answer.data;
        if (data.article === null) {
          if (data.can_create && !state.tried) {
            state.tried = true;
            return createArticle();
          }
          return unavailable("Comments are not available on this page.");
        }
        threads = append ? threads.concat(data.results) : data.results;
        count = data.count;
        state.next = data.next;
        state.maxDepth = data.max_depth;
        state.open = data.article.accepts_comments;
        render();
        if (!append) showForm();
        if (append) announce(data.results.length + " more comments loaded.");
      })
      .catch(function () {
        unavailable("The comments could not be loaded. Please try again later.");
      });
  }

  // The article's own title: data-title, else og:title, else the page's whole <title> (which
  // often ends with the site's name).
  function pageTitle() {
    var og = document.querySelector('meta[property="og:title"]');
    var ogTitle = og && (og.getAttribute("content") || "").trim();
    return conf.title || ogTitle || document.title || ARTICLE;
  }

  // The first load of an article the service does not know yet (sites that allow it).
  function createArticle() {
    var canonical = document.querySelector('link[rel="canonical"]');
    var pageUrl = conf.url || (canonical && canonical.href) || location.href.split("#")[0];
    return request(API + "/articles/" + encodeURIComponent(ARTICLE) + "/", {
      title: pageTitle().slice(0, 500),
      url: pageUrl,
    }).then(function (answer) {
      if (answer.status === 200 || answer.status === 201) return fetchThread(null, false);
      unavailable("Comments are not available on this page.");
    });
  }

  function unavailable(message) {
    list.textContent = "";
    heading.textContent = "Comments";
    list.appendChild(h("li", { class: "note" }, message));
  }

  // --- the form --------------------------------------------------------------------------------
  var fields = {};
  var errors = {};

  function field(name, label, control, required, hint) {
    control.id = "cm-" + name;
    control.name = name;
    if (LIMITS[name]) control.setAttribute("maxlength", LIMITS[name]);
    if (required) control.required = true;
    errors[name] = h("p", { class: "error", id: "cm-" + name + "-error", hidden: true });
    control.setAttribute("aria-describedby", "cm-" + name + "-error");
    fields[name] = control;
    return h(
      "div",
      { class: "field" },
      h("label", { for: control.id }, label, required ? h("span", { "aria-hidden": "true" }, " *") : null),
      control,
      hint || null,
      errors[name]
    );
  }

  var formTitle = h("h3", { id: "cm-form-title" }, "Leave a Reply");
  var cancel = h("button", { type: "button", class: "link", hidden: true, onclick: function () { stopReply(true); } }, "Cancel reply");
  var formError = h("p", { class: "error", role: "alert", hidden: true });
  var author = load(AUTHOR_STORE, null);
  var remember = h("input", { type: "checkbox", id: "cm-remember", checked: !!author });
  var notify = h("input", { type: "checkbox", id: "cm-notify" });
  var submit = h("button", { type: "submit", class: "primary" }, "Post Comment");
  var homepage = h("input", { type: "text", id: "cm-homepage", name: "homepage", tabindex: "-1", autocomplete: "off" });
  var form = h(
    "form",
    { novalidate: true, "aria-labelledby": "cm-form-title", onsubmit: onSubmit },
    h("p", { class: "bar" }, formTitle, cancel),
    h("p", { class: "note" }, "Your email address will not be published. Required fields are marked *"),
    field("body", "Comment", h("textarea", { rows: 6 }), true),
    field("author_name", "Name", h("input", { type: "text", autocomplete: "name" }), true),
    field("author_email", "Email", h("input", { type: "email", autocomplete: "email" }), true),
    field("author_url", "Website", h("input", { type: "url", autocomplete: "url" }), false),
    h("p", { class: "field check" }, remember, h("label", { for: "cm-remember" }, "Save my name, email, and website in this browser for the next time I comment.")),
    h("p", { class: "field check" }, notify, h("label", { for: "cm-notify" }, "Notify me of replies and when my comment is published.")),
    // A trap for bots: hidden from people (and from screen readers); a filled one is never published.
    h("p", { class: "trap", "aria-hidden": "true" }, h("label", { for: "cm-homepage" }, "Leave this empty"), homepage),
    formError,
    h("p", null, submit)
  );
  if (author) {
    fields.author_name.value = author.name || "";
    fields.author_email.value = author.email || "";
    fields.author_url.value = author.url || "";
  }

  function showForm() {
    formSlot.textContent = "";
    if (state.open) formSlot.appendChild(form);
    else formSlot.appendChild(h("p", { class: "note" }, "Comments are closed."));
  }

  function startReply(comment) {
    state.replyTo = comment;
    formTitle.textContent = "Leave a Reply to ";
    formTitle.appendChild(h("bdi", null, comment.author_name));
    cancel.hidden = false;
    var item = list.querySelector('li[data-id="' + comment.id + '"]');
    item.insertBefore(form, item.lastChild);
    fields.body.focus();
  }

  function stopReply(focusBack) {
    var comment = state.replyTo;
    state.replyTo = null;
    formTitle.textContent = "Leave a Reply";
    cancel.hidden = true;
    formSlot.appendChild(form);
    if (focusBack && comment) {
      var button = list.querySelector('li[data-id="' + comment.id + '"] button');
      if (button) button.focus();
    }
  }

  function setError(name, message) {
    var box = name && errors[name];
    if (!box) {
      formError.textContent = message;
      formError.hidden = false;
      return;
    }
    box.textContent = message;
    box.hidden = false;
    fields[name].setAttribute("aria-invalid", "true");
  }

  function clearErrors() {
    Object.keys(errors).forEach(function (name) {
      errors[name].hidden = true;
      errors[name].textContent = "";
      fields[name].removeAttribute("aria-invalid");
    });
    formError.hidden = true;
  }

  function validate(values) {
    var problems = {};
    if (!values.body) problems.body = "Please write a comment.";
    if (!values.author_name) problems.author_name = "Please enter your name.";
    if (!values.author_email) problems.author_email = "Please enter your email address.";
    else if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(values.author_email)) problems.author_email = "Please enter a valid email address, like name@example.com.";
    if (values.author_url) {
      var parsed = null;
      try {
        parsed = new URL(values.author_url);
      } catch (e) {
        /* reported below */
      }
      if (!parsed || !/^https?:$/.test(parsed.protocol) || !/\.|^localhost$/.test(parsed.hostname)) problems.author_url = "Please enter a web address, like https://example.com.";
    }
    Object.keys(LIMITS).forEach(function (name) {
      if (values[name].length > LIMITS[name]) problems[name] = "Please keep this under " + LIMITS[name] + " characters (now " + values[name].length + ").";
    });
    return problems;
  }

  function onSubmit(event) {
    event.preventDefault();
    clearErrors();
    var values = {};
    Object.keys(fields).forEach(function (name) {
      values[name] = fields[name].value.trim();
    });
    if (values.author_url && !/^[a-z][a-z0-9+.-]*:/i.test(values.author_url)) values.author_url = "https://" + values.author_url;
    var problems = validate(values);
    var names = Object.keys(problems);
    if (names.length) {
      names.forEach(function (name) {
        setError(name, problems[name]);
      });
      fields[names[0]].focus();
      announce(names.length === 1 ? "Please correct the highlighted field." : "Please correct the " + names.length + " highlighted fields.");
      return;
    }
    if (remember.checked) save(AUTHOR_STORE, { name: values.author_name, email: values.author_email, url: values.author_url });
    else save(AUTHOR_STORE, null);
    var payload = {
      body: values.body,
      author_name: values.author_name,
      author_email: values.author_email,
      author_url: values.author_url,
      notify: notify.checked,
      homepage: homepage.value,
    };
    if (state.replyTo) payload.parent = state.replyTo.id;
    submit.disabled = true;
    submit.textContent = "Posting…";
    request(THREAD, payload)
      .then(function (answer) {
        if (answer.status === 202) return posted(answer.data, values);
        var error = answer.data.error || {};
        var serverFields = error.fields || {};
        var named = Object.keys(serverFields);
        if (answer.status === 429) {
          var wait = answer.retryAfter > 0 ? answer.retryAfter : 60;
          setError(null, "You are commenting too fast. Please wait " + (wait === 1 ? "a second" : wait + " seconds") + " and try again.");
          named = [];
        } else if (answer.status === 409 && error.code === "duplicate") {
          setError(null, "You already posted this comment.");
          named = [];
        } else if (answer.status === 409) {
          setError(null, "Comments are closed on this article.");
          named = [];
        } else if (!named.length) setError(null, error.message || "Your comment could not be posted. Please try again.");
        named.forEach(function (name) {
          setError(fields[name] ? name : null, serverFields[name].join(" "));
        });
        var first = named.filter(function (name) { return fields[name]; })[0];
        if (first) fields[first].focus();
        announce("Your comment was not posted. " + (error.message || ""));
      })
      .catch(function () {
        setError(null, "The comment service could not be reached. Please try again.");
        announce("The comment service could not be reached.");
      })
      .then(function () {
        submit.disabled = false;
        submit.textContent = "Post Comment";
      });
  }

  function posted(data, values) {
    own.push({
      id: data.id,
      token: data.token,
      parent: data.parent,
      status: data.status,
      created_at: data.created_at,
      body: values.body,
      author_name: values.author_name,
      author_url: values.author_url,
    });
    save(STORE, own);
    fields.body.value = "";
    if (state.replyTo) stopReply(false);
    render();
    announce("Your comment was sent and is awaiting moderation.");
    var mine = list.querySelector('li[data-own="' + data.id + '"]');
    if (mine) {
      mine.setAttribute("tabindex", "-1");
      mine.focus();
    }
    pollDelay = 2000;
    schedulePoll();
  }

  // --- following the reader's own comments -----------------------------------------------------
  function forget(id) {
    own = own.filter(function (mine) {
      return mine.id !== id;
    });
    save(STORE, own);
  }

  function schedulePoll() {
    clearTimeout(pollTimer);
    var waiting = own.some(function (mine) {
      return mine.status !== "rejected";
    });
    if (waiting) pollTimer = setTimeout(poll, pollDelay);
  }

  function poll() {
    var waiting = own.filter(function (mine) {
      return mine.status !== "rejected";
    });
    Promise.all(
      waiting.map(function (mine) {
        // The token rides in a header, never in the URL, so no access log keeps it.
        return request(API + "/comments/" + mine.id + "/", null, { "X-Status-Token": mine.token }).then(
          function (answer) {
            return { mine: mine, answer: answer };
          },
          function () {
            return { mine: mine, answer: { status: 0 } };
          }
        );
      })
    ).then(function (results) {
      var published = false;
      results.forEach(function (result) {
        var mine = result.mine;
        var status = result.answer.status === 200 ? result.answer.data.status : null;
        if (result.answer.status === 404) forget(mine.id);
        else if (status === "approved") {
          forget(mine.id);
          published = true;
          announce("Your comment has been published.");
        } else if (status === "rejected") {
          mine.status = "rejected";
          save(STORE, own);
          render();
          announce("Your comment was not published.");
        } else if (status) mine.status = status;
      });
      pollDelay = Math.min(pollDelay * 1.5, 15000);
      if (published) fetchThread(null, false).then(schedulePoll);
      else schedulePoll();
    });
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") {
      pollDelay = 2000;
      schedulePoll();
    }
  });

  root.textContent = "";
  root.appendChild(h("style", null, CSS));
  root.appendChild(section);
  if (!SITE || !ARTICLE) {
    unavailable("The comments are not set up: the script needs data-site and data-article.");
    return;
  }
  list.appendChild(h("li", { class: "note" }, "Loading comments…"));
  fetchThread(null, false).then(schedulePoll);
})();
