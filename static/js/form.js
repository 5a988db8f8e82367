// Progressive enhancement for the edit form: textareas grow with their text,
// and leaving the page with unsaved changes asks first. The form works without it.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.querySelector("form.sheet-form");
  if (!form) { return; }
  // A refused form: bring the list of what to fix into view and focus, so
  // the user (and a screen reader) starts there; its links lead to the fields.
  var problems = document.querySelector(".form-errors");
  if (problems) { problems.focus(); }
  // After a row was added or moved the page comes back at that row (its
  // anchor): put the cursor in its first field, ready to type.
  // Chrome's own scroll to the anchor resets the focus to the page, so this
  // waits until the page has loaded and that scroll is done.
  else if (location.hash.indexOf("#row-") === 0) {
    window.addEventListener("load", function () {
      setTimeout(function () {
        var row = document.getElementById(location.hash.slice(1));
        var first = row && row.querySelector("textarea, input:not([type=hidden]), select");
        if (first) { first.focus(); }
      }, 0);
    });
  }
  function grow(t) {
    t.style.height = "auto";
    t.style.height = (t.scrollHeight + 2) + "px";
  }
  form.querySelectorAll("textarea").forEach(function (t) {
    grow(t);
    t.addEventListener("input", function () { grow(t); });
  });
  var dirty = false;
  form.addEventListener("input", function () { dirty = true; });
  form.addEventListener("submit", function () { dirty = false; });
  window.addEventListener("beforeunload", function (e) {
    if (dirty) { e.preventDefault(); e.returnValue = ""; }
  });
});
