/* Accord's small page script. Pages work without it; it only improves them.
   The Content-Security-Policy allows no inline script and no eval (web/headers.py): behaviour
   is attached here by delegated listeners to data- attributes, never with on...= attributes,
   and htmx triggers use no [filter] expressions (htmx evaluates them with Function()). */
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  // Every htmx request carries the CSRF token as a header (deps.csrf_protect reads it).
  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRF-Token"] = csrfToken();
  });

  if (window.htmx) {
    // no eval under the Content-Security-Policy (hx-on and trigger filters are not used)
    window.htmx.config.allowEval = false;
    // Swap 400 and 422 responses too: they carry a form with its field errors.
    window.htmx.config.responseHandling = [
      { code: "204", swap: false },
      { code: "[23]..", swap: true },
      { code: "400", swap: true, error: false },
      { code: "422", swap: true, error: false },
      { code: "[45]..", swap: false, error: true },
      { code: "...", swap: false }
    ];
  }

  // <select data-submit-on-change> submits its form when a new value is chosen.
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("[data-submit-on-change]") && target.form) {
      target.form.submit();
    }
  });

  // <a data-open-details="ID"> opens the <details id="ID"> it links to.
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("[data-open-details]") : null;
    var details = link && document.getElementById(link.getAttribute("data-open-details"));
    if (details) {
      details.open = true;
    }
  });

  // <button data-copy="ID"> copies the value of the field #ID (a link shown once).
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-copy]") : null;
    var field = button && document.getElementById(button.getAttribute("data-copy"));
    if (!field) {
      return;
    }
    field.select();
    var done = function () { button.textContent = "Copied"; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, function () {
        document.execCommand("copy");
        done();
      });
    } else {
      document.execCommand("copy");
      done();
    }
  });

  // <button data-confirm="Really?"> asks before submitting.
  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("[data-confirm]") : null;
    if (target && !window.confirm(target.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
})();
