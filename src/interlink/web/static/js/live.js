// The console's live feed: one EventSource on /api/v1/stream (the session cookie signs it
// in); the browser reconnects by itself and sends Last-Event-ID, so nothing is missed.
// Text is always set with textContent: event data never becomes markup.
window.interlinkLive = function (handlers) {
  // From the last event the page was rendered with: nothing between render and connect
  // is missed.
  var after = document.body.dataset.lastEvent;
  var source = new EventSource("/api/v1/stream" + (after ? "?after=" + after : ""));
  source.onerror = function () {
    if (source.readyState !== EventSource.CLOSED) return;  // the browser reconnects by itself
    var alert = document.getElementById("live-alert");
    if (alert) {
      alert.hidden = false;
      alert.textContent = "Live feed disconnected: reload the page (sign in again if asked).";
    }
  };
  Object.keys(handlers).forEach(function (topic) {
    source.addEventListener(topic, function (event) {
      handlers[topic](JSON.parse(event.data), event);
    });
  });
  return source;
};

window.interlinkEntry = function (list, parts, className) {
  var item = document.createElement("li");
  if (className) item.className = className;
  parts.forEach(function (part) {
    var span = document.createElement("span");
    if (part.badge) span.className = "badge " + part.badge;
    span.textContent = part.text;
    item.appendChild(span);
    item.appendChild(document.createTextNode(" "));
  });
  list.insertBefore(item, list.firstChild);
  return item;
};
