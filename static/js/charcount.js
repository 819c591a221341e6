// Show how many characters are left in each textarea with a maxlength, as the user types.
// The sentence comes translated from the page (data-text, with {left} and {max}).
(function () {
  "use strict";
  document.querySelectorAll(".char-count[data-count-for]").forEach(function (counter) {
    var field = document.getElementById(counter.getAttribute("data-count-for"));
    var sentence = counter.getAttribute("data-text");
    if (!field || !sentence || field.maxLength < 0) { return; }
    var update = function () {
      counter.textContent = sentence
        .replace("{left}", field.maxLength - field.value.length)
        .replace("{max}", field.maxLength);
    };
    field.addEventListener("input", update);
    update();
  });
})();
