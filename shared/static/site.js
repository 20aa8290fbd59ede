// Progressive enhancement only: every page works without this file.
// Adds a "Copy" button after each element marked data-copy (a readonly input or code).
(function () {
  "use strict";
  if (!navigator.clipboard) { return; }
  document.querySelectorAll("[data-copy]").forEach(function (field) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "secondary copy";
    button.textContent = "Copy";
    button.setAttribute("aria-label", field.getAttribute("data-copy") || "Copy");
    button.addEventListener("click", function () {
      var text = field.value !== undefined ? field.value : field.textContent;
      navigator.clipboard.writeText(text).then(function () {
        button.textContent = "Copied";
        setTimeout(function () { button.textContent = "Copy"; }, 2000);
      }, function () {
        if (field.select) { field.select(); }
        button.textContent = "Select and copy";
      });
    });
    field.insertAdjacentElement("afterend", button);
  });
}());
