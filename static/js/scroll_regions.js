// Wide tables scroll inside their own box, not the page (issue 15). Every table in <main> not
// already inside a <div class="overflow-auto"> gets one, so a page needs no wrapper of its own;
// a box that really scrolls becomes a labelled, focusable region, so a keyboard can scroll it
// too (axe: scrollable-region-focusable). Again after an htmx swap and when the window resizes.
(function () {
  function label(box) {
    const caption = box.querySelector("caption");
    const section = box.closest("section, article");
    const heading = section && section.querySelector("h1, h2, h3, h4");
    const text = (caption || heading || {}).textContent || "";
    return text.trim() || "Table";
  }

  function wrapTables(root) {
    root.querySelectorAll("main table").forEach(function (table) {
      if (table.closest(".overflow-auto")) {
        return;
      }
      const box = document.createElement("div");
      box.className = "overflow-auto";
      table.parentNode.insertBefore(box, table);
      box.appendChild(table);
    });
  }

  function markScrolling() {
    document.querySelectorAll("main .overflow-auto").forEach(function (box) {
      const scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", label(box) + " (scrolls sideways)");
        box.dataset.scrollRegion = "";
      } else if (!scrolls && "scrollRegion" in box.dataset) {
        ["tabindex", "role", "aria-label", "data-scroll-region"].forEach(function (name) {
          box.removeAttribute(name);
        });
      }
    });
  }

  function update() {
    wrapTables(document);
    markScrolling();
  }

  document.addEventListener("DOMContentLoaded", update);
  document.addEventListener("htmx:afterSettle", update);
  let pending = null;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(markScrolling, 150);
  });
})();
