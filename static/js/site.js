// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  // A changed sort order applies at once; without JavaScript a "Sort" button does it.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () {
      if (select.form) select.form.requestSubmit();
    });
  });

  // Rows of a form (places, roles, contacts): show the filled ones and one empty row, and
  // an "Add another" button for the rest. Without JavaScript every row is shown.
  function isEmpty(row) {
    return Array.prototype.every.call(row.querySelectorAll("input, select, textarea"), function (el) {
      if (el.type === "checkbox" || el.type === "radio") return !el.checked;
      if (el.tagName === "SELECT") return el.selectedIndex <= 0 || el.value === el.options[0].value;
      return el.value === "";
    });
  }
  document.querySelectorAll("[data-add-row]").forEach(function (button) {
    var rows = Array.prototype.slice.call(button.parentNode.querySelectorAll("[data-row]"));
    var shown = 0;
    rows.forEach(function (row, i) {
      var hasErrors = row.querySelector(".errorlist") !== null;
      if (i === 0 || !isEmpty(row) || hasErrors) { shown = i + 1; }
    });
    rows.forEach(function (row, i) { if (i >= Math.max(shown, 1)) row.hidden = true; });
    function update() { button.hidden = rows.every(function (row) { return !row.hidden; }); }
    button.addEventListener("click", function () {
      var next = rows.filter(function (row) { return row.hidden; })[0];
      if (next) {
        next.hidden = false;
        var field = next.querySelector("input, select, textarea");
        if (field) field.focus();
      }
      update();
    });
    update();
  });

  // A field with suggestions from the site (the submission form's organization): the names
  // that contain what is typed, shown by the browser from the field's datalist. Without
  // JavaScript the field is plain text, and a name as listed still finds its organization.
  document.querySelectorAll("datalist[data-suggest-url]").forEach(function (list) {
    var input = document.querySelector('input[list="' + list.id + '"]');
    if (!input || !window.fetch || !list.replaceChildren) return;
    var timer = null;
    var asked = "";
    function suggest() {
      var text = input.value.trim();
      if (text.length < 2 || text === asked) return;
      asked = text;
      fetch(list.dataset.suggestUrl + "?q=" + encodeURIComponent(text))
        .then(function (response) { return response.ok ? response.json() : { organizations: [] }; })
        .then(function (data) {
          if (text !== asked) return; // an answer to an earlier text: a later one is coming
          list.replaceChildren.apply(list, data.organizations.map(function (name) {
            var option = document.createElement("option");
            option.value = name;
            return option;
          }));
        })
        .catch(function () { asked = ""; }); // offline: try again on the next key
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(suggest, 200); // one request when typing pauses, not one a key
    });
  });
})();
