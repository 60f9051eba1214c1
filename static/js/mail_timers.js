// The first-response timers on the agent's email pages: each <time class="mail-timer"
// datetime="…"> counts down to its due time, and says "overdue" once it has passed. The
// server renders the due time itself; this only keeps the "time left" current.
(function () {
  "use strict";
  function left(due) {
    var minutes = Math.round((due - Date.now()) / 60000);
    if (minutes < 0) return "overdue by " + format(-minutes);
    return format(minutes) + " left";
  }
  function format(minutes) {
    if (minutes < 60) return minutes + " min";
    var hours = Math.floor(minutes / 60);
    return hours + " h " + (minutes % 60) + " min";
  }
  function tick() {
    document.querySelectorAll("time.mail-timer").forEach(function (el) {
      var due = Date.parse(el.getAttribute("datetime"));
      if (isNaN(due)) return;
      el.textContent = left(due);
      el.classList.toggle("mail-overdue", due < Date.now());
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    tick();
    setInterval(tick, 15000);
  });
})();
