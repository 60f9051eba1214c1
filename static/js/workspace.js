// The agent's workspace: the wrap-up countdown. Every element with data-deadline (an ISO
// time, the line's wrap-up limit) shows the seconds left; htmx swaps the workspace in and
// out, so each tick looks the elements up again.
(function () {
  "use strict";
  function tick() {
    document.querySelectorAll("[data-deadline]").forEach(function (element) {
      var deadline = Date.parse(element.getAttribute("data-deadline"));
      if (isNaN(deadline)) {
        return;
      }
      var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      element.textContent = left > 0
        ? left + " s left to record the call"
        : "time is up: the call closes with no disposition";
      element.classList.toggle("deadline-near", left <= 10);
    });
  }
  tick();
  window.setInterval(tick, 1000);
})();

// The wrap-up's "Call back at" shows only while a code of kind "callback" is chosen (each
// option carries data-kind). Without this script the field simply stays visible.
(function () {
  "use strict";
  function toggle(form) {
    var select = form.querySelector("select[name=disposition]");
    var input = form.querySelector("[data-callback-at]");
    if (!select || !input) {
      return;
    }
    var option = select.options[select.selectedIndex];
    var callback = option && option.getAttribute("data-kind") === "callback";
    var box = input.closest("div") || input;
    box.hidden = !callback;
  }
  function all() {
    document.querySelectorAll("form").forEach(toggle);
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("select[name=disposition]")) {
      toggle(event.target.form);
    }
  });
  document.addEventListener("htmx:afterSwap", all);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", all);
  } else {
    all();
  }
})();
