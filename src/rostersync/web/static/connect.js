// Progressive enhancement for the connect pages: without it, the search form and the
// progress page's refresh fallback do the same work.
(function () {
  "use strict";

  var search = document.querySelector("[data-filter]");
  if (search) {
    var list = document.querySelector(search.getAttribute("data-filter"));
    var empty = document.getElementById("no-match");
    search.addEventListener("input", function () {
      var wanted = search.value.trim().toLowerCase();
      var shown = 0;
      list.querySelectorAll("li[data-name]").forEach(function (item) {
        var match = item.getAttribute("data-name").indexOf(wanted) !== -1;
        item.hidden = !match;
        if (match) { shown += 1; }
      });
      if (empty) { empty.hidden = shown !== 0; }
    });
  }

  var alert = document.getElementById("form-error");
  if (alert) { alert.focus(); }

  var progress = document.getElementById("progress");
  if (progress && window.EventSource && !/done|held|failed/.test(progress.dataset.stage)) {
    // The page's language: the labels come translated with it.
    var labels = JSON.parse(progress.dataset.labels);
    var source = new EventSource(progress.dataset.events);
    source.addEventListener("progress", function (event) {
      var now = JSON.parse(event.data);
      var finished = now.stage === "done" || now.stage === "held" || now.stage === "failed";
      progress.dataset.stage = now.stage;
      if (now.people_read !== null) {
        progress.querySelector("[data-count=people_read]").textContent = now.people_read;
        progress.querySelector("[data-stage-item=read]").className = "done";
      }
      if (now.actions_planned !== null) {
        progress.querySelector("[data-count=actions_planned]").textContent = now.actions_planned;
        progress.querySelector("[data-stage-item=planned]").className = "done";
      }
      progress.querySelector("[data-count=stage]").textContent = labels[now.stage];
      progress.querySelector("[data-detail]").textContent = now.detail;
      if (finished) {
        progress.querySelector("[data-stage-item=done]").className = "done";
        document.getElementById("finish-link").hidden = false;
        source.close();
      }
    });
  }
})();
