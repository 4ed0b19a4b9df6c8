// The command centre's live feed and counters (ccc.html): each event the stream brings
// becomes a line of the feed; operation and incident topics come from the page.
(function () {

  var feed = document.getElementById("feed");
  function bump(id) { var el = document.getElementById(id); el.textContent = +el.textContent + 1; }
  var handlers = {
    "message": function (d) {
      if (d.priority === "urgent" || d.priority === "flash")
        interlinkEntry(feed, [{text: d.priority, badge: d.priority}, {text: "message from " + d.from + ": " + d.subject}]);
    },
    "hit.created": function (d) {
      bump("count-open"); bump("count-day");
      interlinkEntry(feed, [{text: "new hit", badge: "hit"}, {text: d.record_kind + " of " + d.owner + ", screened by " + d.screening_bureau + ", score " + d.score}]);
    },
    "hit.confirmation_requested": function (d) {
      interlinkEntry(feed, [{text: d.priority, badge: d.priority}, {text: "confirmation requested on a " + d.record_kind + " hit, due " + d.due_at}], d.priority);
    },
    "hit.escalated": function (d) {
      bump("count-overdue");
      interlinkEntry(feed, [{text: "OVERDUE", badge: "hit"}, {text: "confirmation on a " + d.record_kind + " hit, " + Math.round(d.seconds_late / 60) + " min late"}], "overdue");
    },
    "notice.approve": function (d) {
      bump("count-review");
      interlinkEntry(feed, [{text: "review", badge: "urgent"}, {text: d.reference + " " + d.title + " awaits review"}]);
    }
  };
  // Operations and incidents: each step of theirs is a line of the feed.
  JSON.parse(feed.dataset.liveTopics).forEach(function (topic) {
    handlers[topic] = function (d) {
      interlinkEntry(feed, [{text: topic.split(".")[0], badge: "op"}, {text: d.title}]);
    };
  });
  interlinkLive(handlers);
})();
