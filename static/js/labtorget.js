/* Small progressive enhancements; every page works without them. */
(function () {
  "use strict";

  // The menu folds behind a button on small screens (CSS decides when); without JavaScript it stays open.
  function setUpMenu() {
    var header = document.querySelector(".site-header");
    var button = header && header.querySelector(".menu-toggle");
    if (!button) return;
    header.classList.add("js-menu");
    button.hidden = false;
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", String(open));
      header.classList.toggle("menu-open", open);
      if (open) {
        var first = header.querySelector(".site-menu a");
        if (first) first.focus();
      }
    });
    // The personal menu closes when focus or a click goes elsewhere, and with Escape.
    var userMenu = header.querySelector(".user-menu");
    if (userMenu) {
      document.addEventListener("click", function (event) {
        if (userMenu.open && !userMenu.contains(event.target)) userMenu.open = false;
      });
      userMenu.addEventListener("keydown", function (event) {
        if (event.key === "Escape" && userMenu.open) {
          userMenu.open = false;
          userMenu.querySelector("summary").focus();
          event.stopPropagation();
        }
      });
    }
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        button.setAttribute("aria-expanded", "false");
        header.classList.remove("menu-open");
        button.focus();
      }
    });
  }

  // A form or button with data-confirm asks before it is sent (the server asks again where it matters).
  function setUpConfirmations() {
    document.addEventListener("submit", function (event) {
      var form = event.target;
      var submitter = event.submitter;
      var question = (submitter && submitter.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
      if (question && !window.confirm(question)) event.preventDefault();
    });
  }

  // The booking calendar: one Tab stop (the chosen or first free time), arrow keys move between free times
  // by row and column (a grid, as screen-reader users expect), Enter or Space chooses. The links work alone.
  function setUpWeekGrid(table) {
    var links = Array.prototype.slice.call(table.querySelectorAll("a[data-slot]"));
    if (!links.length) return;
    var current = table.querySelector("a[data-slot][aria-current]") || links[0];
    links.forEach(function (link) {
      link.tabIndex = link === current ? 0 : -1;
      link.draggable = false;  // a press-and-move draws a stretch of time, not a dragged link
    });
    function position(link) {
      var cell = link.closest("td");
      return { row: cell.parentElement.rowIndex, column: cell.cellIndex };
    }
    function move(from, rowStep, columnStep) {
      var start = position(from);
      var best = null, bestDistance = Infinity;
      links.forEach(function (link) {
        if (link === from) return;
        var at = position(link);
        var dr = at.row - start.row, dc = at.column - start.column;
        if (rowStep && (Math.sign(dr) !== rowStep)) return;
        if (columnStep && (Math.sign(dc) !== columnStep)) return;
        var distance = rowStep ? Math.abs(dr) * 100 + Math.abs(dc) : Math.abs(dc) * 100 + Math.abs(dr);
        if (distance < bestDistance) { best = link; bestDistance = distance; }
      });
      return best;
    }
    table.addEventListener("keydown", function (event) {
      var link = event.target.closest && event.target.closest("a[data-slot]");
      if (!link) return;
      var next = null;
      // Shift and Down/Up: the choice (or, with none, the focused time) ends one row later or earlier.
      if (event.shiftKey && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
        event.preventDefault();
        var chosen = table.querySelectorAll("td.chosen[data-start]");
        var first = chosen.length ? chosen[0] : link.closest("td");
        var last = chosen.length ? chosen[chosen.length - 1] : link.closest("td");
        var row = last.parentElement.rowIndex + (event.key === "ArrowDown" ? 1 : -1);
        var end = table.rows[row] && table.rows[row].cells[last.cellIndex];
        if (end && end.parentElement.rowIndex >= first.parentElement.rowIndex) go(first, end);
        return;
      }
      if (event.key === "ArrowDown") next = move(link, 1, 0);
      else if (event.key === "ArrowUp") next = move(link, -1, 0);
      else if (event.key === "ArrowRight") next = move(link, 0, 1);
      else if (event.key === "ArrowLeft") next = move(link, 0, -1);
      else if (event.key === "Home") next = links[0];
      else if (event.key === "End") next = links[links.length - 1];
      else if (event.key === " ") { event.preventDefault(); link.click(); return; }
      if (next) {
        event.preventDefault();
        link.tabIndex = -1; next.tabIndex = 0; next.focus();
      }
    });
    // Drag with a mouse or pen: press on a free time, move down the same day, let go; the choice is the whole
    // stretch when every time in it is free and its length within the resource's minimum and maximum.
    function fits(cells) {  // the resource's length rules, from the table's attributes
      var minutes = cells ? cells.length * Number(table.getAttribute("data-row-minutes")) : 0;
      return Boolean(cells) && minutes >= Number(table.getAttribute("data-min-minutes")) &&
        minutes <= Number(table.getAttribute("data-max-minutes"));
    }
    function stretch(from, to) {
      // The cells from `from` down to `to` (cells or links in them) in one column, or null when one is not free.
      var column = from.closest("td").cellIndex;
      if (to.closest("td").cellIndex !== column) return null;
      var first = from.closest("tr").rowIndex, last = to.closest("tr").rowIndex;
      if (last < first) return null;
      var cells = [];
      for (var row = first; row <= last; row += 1) {
        var cell = table.rows[row].cells[column];
        if (!cell || !cell.hasAttribute("data-start")) return null;
        cells.push(cell);
      }
      return cells;
    }
    function address(startCell, endCell) {
      return "?week=" + encodeURIComponent(table.getAttribute("data-week")) +
        "&start=" + encodeURIComponent(startCell.getAttribute("data-start")) +
        "&end=" + encodeURIComponent(endCell.getAttribute("data-end")) + "#calendar";
    }
    // Go to the page with the stretch from one cell to another chosen, if it keeps the rules; else stay.
    function go(startCell, endCell) {
      var cells = stretch(startCell, endCell);
      if (!fits(cells)) return false;
      window.location.href = address(cells[0], cells[cells.length - 1]);
      return true;
    }
    var drag = null;
    // The click that ends a drag follows no link. A flag, reset by the next press, rather than a one-off listener:
    // a drag let go outside the table is followed by no click on it, and would swallow the next plain click.
    var swallowClick = false;
    table.addEventListener("click", function (event) {
      if (swallowClick) { swallowClick = false; event.preventDefault(); }
    }, true);
    function clearDrag() {
      Array.prototype.forEach.call(table.querySelectorAll("td.dragging, td.drag-invalid"), function (cell) {
        cell.classList.remove("dragging", "drag-invalid");
      });
    }
    table.addEventListener("pointerdown", function (event) {
      swallowClick = false;
      var link = event.target.closest && event.target.closest("a[data-slot]");
      if (!link || event.pointerType === "touch" || event.button !== 0) return;
      drag = { from: link, to: link, moved: false };
      event.preventDefault();  // no text selection or link dragging while the stretch is drawn
    });
    table.addEventListener("pointerover", function (event) {
      if (!drag) return;
      var cell = event.target.closest && event.target.closest("td");
      if (!cell || cell.cellIndex !== drag.from.closest("td").cellIndex) return;
      var link = cell.querySelector("a[data-slot]") || cell;
      drag.to = link;
      drag.moved = drag.moved || link !== drag.from;
      clearDrag();
      var cells = stretch(drag.from, link);
      var valid = fits(cells);
      (cells || [link.closest("td")]).forEach(function (c) { c.classList.add(valid ? "dragging" : "drag-invalid"); });
    });
    document.addEventListener("pointerup", function () {
      if (!drag) return;
      var done = drag;
      drag = null;
      if (!done.moved) return;  // a plain click: the link does what it says
      swallowClick = true;
      clearDrag();
      go(done.from.closest("td"), done.to.closest("td"));
    });

    // Back on the page after choosing: focus stays on the chosen time, not the top of the page.
    if (window.location.hash === "#calendar" && table.querySelector("a[data-slot][aria-current]")) {
      current.focus({ preventScroll: true });
    }
  }

  // A long list of checkboxes with a filter box (the screener's facility picker): typing shows only the entries
  // whose words contain every typed word; ticked entries always stay in view. Without JavaScript the box stays
  // hidden and the whole list shows.
  function setUpPickerFilter(input) {
    var list = document.getElementById(input.getAttribute("data-picker-filter"));
    var count = document.getElementById(input.id + "-count");
    if (!list) return;
    input.closest(".picker-filter").hidden = false;
    var items = Array.prototype.slice.call(list.querySelectorAll("li[data-terms]"));
    function apply() {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      items.forEach(function (item) {
        var terms = item.getAttribute("data-terms");
        var ticked = item.querySelector("input:checked");
        var match = words.every(function (word) { return terms.indexOf(word) !== -1; });
        item.hidden = !(match || ticked);
        if (match) shown += 1;
      });
      if (count) count.textContent = words.length ? count.getAttribute("data-label") + " " + shown : "";
    }
    input.addEventListener("input", apply);
    // Enter in the filter box must not send the routing form.
    input.addEventListener("keydown", function (event) { if (event.key === "Enter") event.preventDefault(); });
  }

  // A table wider than a phone scrolls inside its own box; keyboard users reach it with Tab to scroll it.
  function makeWideTablesFocusable() {
    Array.prototype.forEach.call(document.querySelectorAll("main table"), function (table) {
      if (table.scrollWidth > table.clientWidth + 1 && !table.hasAttribute("tabindex")) table.tabIndex = 0;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    makeWideTablesFocusable();
    window.addEventListener("resize", makeWideTablesFocusable);
    setUpMenu();
    setUpConfirmations();
    Array.prototype.forEach.call(document.querySelectorAll("[data-week-grid]"), setUpWeekGrid);
    Array.prototype.forEach.call(document.querySelectorAll("[data-picker-filter]"), setUpPickerFilter);
  });
})();
