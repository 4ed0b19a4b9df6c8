// The bureau workspace (workspace.html): a live countdown of confirmation deadlines
// (colour is never the only signal: the text says), and new messages in the inbox as
// they arrive (only where the page has an inbox: roles that may not read the stream
// have none, and open no stream).
(function () {
  function tick() {
    document.querySelectorAll(".countdown[data-due]").forEach(function (el) {
      if (!el.dataset.due) return;
      var left = Math.round((new Date(el.dataset.due) - new Date()) / 1000);
      el.textContent = left > 0
        ? "due in " + Math.floor(left / 60) + " min " + (left % 60) + " s"
        : "OVERDUE by " + Math.floor(-left / 60) + " min";
    });
  }
  tick(); setInterval(tick, 1000);
  var inbox = document.getElementById("inbox-list");
  if (!inbox) return;
  interlinkLive({
    message: function (data) {
      interlinkEntry(inbox, [
        {text: data.priority, badge: data.priority}, {text: data.subject},
        {text: "(new, from " + data.from + ")"}
      ], "new");
    }
  });
})();
