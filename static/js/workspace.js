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
